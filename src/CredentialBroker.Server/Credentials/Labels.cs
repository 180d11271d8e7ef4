using System.Text.Json;

namespace CredentialBroker.Server.Credentials;

/// <summary>Credential labels as stored: a JSON object of strings with keys in ordinal order.</summary>
internal static class Labels
{
    public static string Serialize(IReadOnlyDictionary<string, string> labels) =>
        JsonSerializer.Serialize(new SortedDictionary<string, string>(labels.ToDictionary(), StringComparer.Ordinal));

    public static Dictionary<string, string> Parse(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
}
