using System.Text;
using CredentialBroker.Server.Gateway;

namespace CredentialBroker.UnitTests.Gateway;

public sealed class PromptFingerprintTests
{
    private static string? Of(string json) =>
        PromptFingerprint.Of(ProviderRequest.Parse(GatewayEndpoint.ChatCompletions, Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Of_SamePrompt_SameShortHexFingerprint_WithoutThePrompt()
    {
        var a = Of("""{"model":"gpt-4o-mini","max_tokens":5,"messages":[{"role":"user","content":"summarise the quarterly report"}]}""");
        var b = Of("""{"messages":[{"role":"user","content":"summarise the quarterly report"}],"model":"gpt-4o-mini","max_tokens":50,"stream":true}""");

        Assert.NotNull(a);
        Assert.Equal(a, b);
        Assert.Matches("^[0-9a-f]{16}$", a);
        Assert.DoesNotContain("quarterly", a, StringComparison.Ordinal);
    }

    [Fact]
    public void Of_DifferentTextOrModelOrSplit_Differs()
    {
        var a = Of("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"ab"}]}""");

        Assert.NotEqual(a, Of("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"abc"}]}"""));
        Assert.NotEqual(a, Of("""{"model":"gpt-4.1","messages":[{"role":"user","content":"ab"}]}"""));
        Assert.NotEqual(a, Of("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"a"},{"role":"user","content":"b"}]}"""));
    }
}
