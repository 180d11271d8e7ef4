namespace CredentialBroker.Server.Policy;

/// <summary>Whether a model name is within a purpose's allowance ("gpt-4o" exact, "gpt-4o*" prefix; empty allows all).</summary>
public static class ModelAllowance
{
    public static bool Allows(IReadOnlyCollection<string> allowed, string model) =>
        allowed.Count == 0 || allowed.Any(pattern => Matches(pattern, model));

    private static bool Matches(string pattern, string model) =>
        pattern.EndsWith('*')
            ? model.StartsWith(pattern[..^1], StringComparison.Ordinal)
            : string.Equals(pattern, model, StringComparison.Ordinal);
}
