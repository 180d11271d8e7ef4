using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;

namespace CredentialBroker.Server.Hosting;

/// <summary>
/// Every configuration key the broker reads: the options classes (<see cref="BrokerOptions"/> and
/// what it nests) by reflection, with defaults from default-constructed instances and meanings from
/// their XML docs, plus the keys read directly from <see cref="IConfiguration"/> or by the
/// framework. docs/CONFIGURATION.md is checked against this list by a test.
/// </summary>
public static class ConfigurationReference
{
    private static readonly Lazy<IReadOnlyList<ConfigurationKey>> _all = new(Build);

    /// <summary>All keys, options classes first, in declaration order.</summary>
    public static IReadOnlyList<ConfigurationKey> All => _all.Value;

    /// <summary>
    /// The key a concrete name stands for, or null when the broker does not read it. Accepts the colon
    /// form or the environment-variable form (<c>__</c>); list indexes match <c>N</c>, any segment
    /// matches <c>&lt;Name&gt;</c>; case-insensitive like ASP.NET Core configuration.
    /// </summary>
    public static ConfigurationKey? Find(string key)
    {
        var segments = key.Replace("__", ":", StringComparison.Ordinal).Split(':');
        return All.FirstOrDefault(k => Matches(k.Path.Split(':'), segments));
    }

    private static bool Matches(string[] pattern, string[] segments) =>
        pattern.Length == segments.Length && pattern.Zip(segments).All(p =>
            p.First.StartsWith('<') ||
            (p.First == "N" && p.Second.All(char.IsAsciiDigit) && p.Second.Length > 0) ||
            string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase));

    private static IReadOnlyList<ConfigurationKey> Build()
    {
        var docs = XmlDocs.Load(typeof(BrokerOptions).Assembly);
        var keys = new List<ConfigurationKey>();
        Walk(typeof(BrokerOptions), new BrokerOptions(), BrokerOptions.Section, docs, keys);
        keys.AddRange(FixedKeys.All);
        return keys;
    }

    private static void Walk(Type type, object instance, string prefix, XmlDocs docs, List<ConfigurationKey> keys)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.CanWrite))
        {
            var path = prefix + ":" + property.Name;
            var value = property.GetValue(instance);
            var propertyType = property.PropertyType;
            if (IsScalar(propertyType))
            {
                keys.Add(Key(path, prefix, propertyType, value, property, docs));
            }
            else if (ListItemType(propertyType) is { } item)
            {
                if (IsScalar(item))
                {
                    var items = ((IEnumerable?)value)?.Cast<object>().ToList() ?? [];
                    keys.Add(Key(path + ":N", prefix, item, items.Count == 0 ? null : items[0], property, docs));
                }
                else
                {
                    Walk(item, Activator.CreateInstance(item)!, path + ":N", docs, keys);
                }
            }
            else
            {
                Walk(propertyType, value ?? Activator.CreateInstance(propertyType)!, path, docs, keys);
            }
        }
    }

    private static ConfigurationKey Key(string path, string section, Type type, object? value, PropertyInfo property, XmlDocs docs) =>
        new(path, section, TypeName(type), Format(value), property.GetCustomAttribute<RequiredAttribute>() is not null, docs.Summary(property));

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan) ||
            type == typeof(DateTimeOffset) || type == typeof(Uri);
    }

    private static Type? ListItemType(Type type) =>
        type.IsArray ? type.GetElementType() :
        type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)) is { } e && type != typeof(string)
            ? e.GetGenericArguments()[0]
            : null;

    private static string TypeName(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string) ? "string" : type == typeof(int) ? "int" : type == typeof(long) ? "long" : type == typeof(bool) ? "bool" : type.Name;
    }

    private static string? Format(object? value) => value switch
    {
        null => null,
        string s when s.Length == 0 => null,
        bool b => b ? "true" : "false",
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
