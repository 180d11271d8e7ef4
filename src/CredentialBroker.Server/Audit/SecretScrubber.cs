using System.Text.RegularExpressions;

namespace CredentialBroker.Server.Audit;

/// <summary>
/// Removes secrets from free text: broker keys (<c>cbk_</c>, <c>cbt_</c>), bearer tokens, provider keys
/// (<c>sk-</c>, <c>sk-ant-</c>, <c>sk-proj-</c>, ...) and JWTs. Used on what a person pasted into a reason
/// or description before it is stored, and on every log line.
/// </summary>
internal static partial class SecretScrubber
{
    /// <summary>Shorter text cannot hold any of the shapes matched (the shortest, a bearer token, is 15 characters).</summary>
    private const int MinSecretLength = 15;

    public static string Scrub(string text) =>
        text.Length < MinSecretLength ? text : SecretPattern().Replace(text, Replace);

    private static string Replace(Match m)
    {
        // A broker key keeps its public prefix (as shown in listings) so the credential can still be identified.
        if (m.Groups["broker"].Success)
        {
            return m.Value[..12] + "[redacted]";
        }

        if (m.Groups["bearer"].Success)
        {
            return m.Groups["scheme"].Value + " [redacted]";
        }

        return m.Groups["provider"].Success ? "sk-" + m.Groups["kind"].Value + "[redacted]" : "[redacted-jwt]";
    }

    [GeneratedRegex(
        @"(?<broker>\bcb[kt]_[A-Za-z0-9]{38}\b)" +
        @"|(?<bearer>\b(?<scheme>(?i:bearer))\s+[A-Za-z0-9\-._~+/]{8,}=*)" +
        @"|(?<provider>\bsk-(?<kind>(?:ant|proj|svcacct|admin)-)?[A-Za-z0-9_\-]{20,})" +
        @"|(?<jwt>\beyJ[A-Za-z0-9_\-]{4,}\.eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*)",
        RegexOptions.CultureInvariant)]
    private static partial Regex SecretPattern();
}
