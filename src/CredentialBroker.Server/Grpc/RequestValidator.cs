using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;

namespace CredentialBroker.Server.Grpc;

/// <summary>Collects every field violation of a request, then fails once with all of them.</summary>
internal sealed partial class RequestValidator
{
    private readonly List<(string Field, string Description)> _violations = [];

    public bool IsValid => _violations.Count == 0;

    public void Add(string field, string description) => _violations.Add((field, description));

    public string Required(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "is required");
            return string.Empty;
        }

        return MaxLength(field, value, maxLength);
    }

    public string MaxLength(string field, string? value, int maxLength)
    {
        value ??= string.Empty;
        if (value.Length > maxLength)
        {
            Add(field, $"is {value.Length} characters long; at most {maxLength} are allowed");
        }

        return value.Trim();
    }

    public string Name(string field, string? value, int maxLength = 128)
    {
        var name = Required(field, value, maxLength);
        if (name.Length > 0 && !NamePattern().IsMatch(name))
        {
            Add(field, "may contain only letters, digits, '.', '_' and '-', and must start with a letter or digit");
        }

        return name;
    }

    public Guid Id(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "is required");
            return Guid.Empty;
        }

        return OptionalId(field, value) ?? Guid.Empty;
    }

    public Guid? OptionalId(string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (!Guid.TryParse(value, out var id))
        {
            Add(field, $"'{Clip(value)}' is not a valid id (a UUID such as 0b9f5c1e-3d2a-4c7e-9f00-1a2b3c4d5e6f)");
            return null;
        }

        return id;
    }

    public TimeSpan? Duration(string field, Duration? value, TimeSpan min, TimeSpan max)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Seconds < 0 || value.Nanos < 0)
        {
            Add(field, "must be positive");
            return null;
        }

        if (value.Seconds > (long)TimeSpan.FromDays(3650).TotalSeconds)
        {
            Add(field, $"is far too long; at most {Format(max)} is allowed");
            return null;
        }

        var span = value.ToTimeSpan();
        if (span < min)
        {
            Add(field, $"is {Format(span)}; at least {Format(min)} is required");
            return null;
        }

        if (span > max)
        {
            Add(field, $"is {Format(span)}; at most {Format(max)} is allowed");
            return null;
        }

        return span;
    }

    public Dictionary<string, string> Labels(string field, IDictionary<string, string> labels)
    {
        const int maxLabels = 16;
        if (labels.Count > maxLabels)
        {
            Add(field, $"has {labels.Count} labels; at most {maxLabels} are allowed");
        }

        foreach (var (key, value) in labels)
        {
            if (!LabelKeyPattern().IsMatch(key))
            {
                Add($"{field}[{Clip(key)}]", "label keys are 1-63 characters of a-z, 0-9, '.', '_', '/' and '-', starting with a letter or digit");
            }

            if (value.Length > 256)
            {
                Add($"{field}[{Clip(key)}]", $"label value is {value.Length} characters long; at most 256 are allowed");
            }
        }

        return new Dictionary<string, string>(labels, StringComparer.Ordinal);
    }

    public void ThrowIfInvalid()
    {
        if (!IsValid)
        {
            RpcErrors.InvalidArgument(_violations);
        }
    }

    public static string Format(TimeSpan span) =>
        span.TotalDays >= 1 && span.TotalDays == Math.Floor(span.TotalDays) ? $"{span.TotalDays:0}d"
        : span.TotalHours >= 1 && span.TotalHours == Math.Floor(span.TotalHours) ? $"{span.TotalHours:0}h"
        : span.TotalMinutes >= 1 && span.TotalMinutes == Math.Floor(span.TotalMinutes) ? $"{span.TotalMinutes:0}m"
        : $"{span.TotalSeconds:0.###}s";

    /// <summary>Echoes user input into messages without letting a huge value flood them.</summary>
    public static string Clip(string value) => value.Length <= 40 ? value : value[..40] + "...";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9._/-]{0,62}$")]
    private static partial Regex LabelKeyPattern();
}
