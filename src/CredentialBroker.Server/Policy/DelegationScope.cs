namespace CredentialBroker.Server.Policy;

/// <summary>Whether a child credential's scope stays within its parent's (model names and prefixes, endpoints).</summary>
public static class DelegationScope
{
    /// <summary>
    /// Whether <paramref name="child"/> (a model name or a prefix ending in "*") allows nothing the parent's
    /// <paramref name="parent"/> allowance (empty: all models) does not.
    /// </summary>
    public static bool ModelWithin(IReadOnlyCollection<string> parent, string child)
    {
        if (parent.Count == 0)
        {
            return true;
        }

        if (!child.EndsWith('*'))
        {
            return ModelAllowance.Allows(parent, child);
        }

        // A child prefix is within a parent prefix that it extends; never within an exact name.
        var childPrefix = child[..^1];
        return parent.Any(p => p.EndsWith('*') && childPrefix.StartsWith(p[..^1], StringComparison.Ordinal));
    }

    /// <summary>The models a child gets: what it asked for, else exactly the parent's (never wider).</summary>
    public static List<string> ChildModels(IReadOnlyList<string> parentModels, IReadOnlyList<string> requested) =>
        requested.Count > 0 ? [.. requested] : [.. parentModels];

    /// <summary>Whether an endpoint is within the parent's endpoints (empty: all).</summary>
    public static bool EndpointWithin(IReadOnlyCollection<string> parent, string child) =>
        parent.Count == 0 || parent.Contains(child);
}
