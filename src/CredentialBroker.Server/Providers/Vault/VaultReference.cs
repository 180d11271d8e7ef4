using System.Globalization;
using System.Text.RegularExpressions;

namespace CredentialBroker.Server.Providers.Vault;

/// <summary>
/// Where a key lives in Vault: <c>vault:&lt;mount&gt;/&lt;path&gt;#&lt;field&gt;[@&lt;version&gt;]</c>, e.g.
/// <c>vault:secret/ai/openai#api_key</c> (latest version) or <c>vault:secret/ai/openai#api_key@3</c> (pinned).
/// </summary>
public sealed partial record VaultReference(string Mount, string Path, string Field, int? Version)
{
    public const string Scheme = "vault:";

    public override string ToString() => $"{Scheme}{Mount}/{Path}#{Field}" + (Version is { } v ? "@" + v.ToString(CultureInfo.InvariantCulture) : string.Empty);

    /// <summary>The reference, or null with a description of what is wrong.</summary>
    public static VaultReference? TryParse(string text, out string? problem)
    {
        problem = null;
        var match = Shape().Match(text);
        if (!match.Success)
        {
            problem = "must look like vault:<mount>/<path>#<field>[@<version>] (letters, digits, '.', '_', '-' in each segment), e.g. vault:secret/ai/openai#api_key";
            return null;
        }

        int? version = null;
        if (match.Groups["version"].Success)
        {
            if (!int.TryParse(match.Groups["version"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < 1)
            {
                problem = "pins a version that is not a positive number";
                return null;
            }

            version = v;
        }

        return new VaultReference(match.Groups["mount"].Value, match.Groups["path"].Value, match.Groups["field"].Value, version);
    }

    [GeneratedRegex(@"^vault:(?<mount>[A-Za-z0-9._-]+)/(?<path>[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*)#(?<field>[A-Za-z0-9._-]+)(?:@(?<version>[0-9]{1,9}))?$")]
    private static partial Regex Shape();
}
