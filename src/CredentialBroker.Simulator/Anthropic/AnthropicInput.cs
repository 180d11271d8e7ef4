namespace CredentialBroker.Simulator.Anthropic;

internal static class AnthropicInput
{
    /// <summary><c>system</c> (a string or text blocks) plus <c>messages</c> with the per-message overhead.</summary>
    public static int Tokens(SimulatedCall call) =>
        InputTokens.AtLeastOne(InputTokens.Content(call.Property("system")) + InputTokens.Messages(call.Property("messages")));
}
