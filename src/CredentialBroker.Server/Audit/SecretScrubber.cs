using System.Text.RegularExpressions;

namespace CredentialBroker.Server.Audit;

/// <summary>Removes broker secrets that a person pasted into free text (a reason, a description) before it is stored.</summary>
internal static partial class SecretScrubber
{
    public static string Scrub(string text) =>
        SecretPattern().Replace(text, m => m.Value[..12] + "[redacted]");

    [GeneratedRegex(@"\bcb[kt]_[A-Za-z0-9]{38}\b")]
    private static partial Regex SecretPattern();
}
