namespace CredentialBroker.Server.Gateway;

/// <summary>
/// Tokens a provider reported (or the broker inferred) for one call. <see cref="InputTokens"/> includes cached
/// tokens: OpenAI's prompt/input tokens already do; for Anthropic it is input + cache read + cache creation tokens.
/// </summary>
/// <param name="InputTokens">All input tokens, cached ones included.</param>
/// <param name="CachedInputTokens">The part of <paramref name="InputTokens"/> read from the provider's prompt cache.</param>
/// <param name="OutputTokens">Generated tokens, reasoning included.</param>
internal readonly record struct UsageReport(long InputTokens, long CachedInputTokens, long OutputTokens)
{
    /// <summary>Input plus output tokens.</summary>
    public long TotalTokens => InputTokens + OutputTokens;
}
