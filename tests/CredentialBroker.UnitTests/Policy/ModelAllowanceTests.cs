using CredentialBroker.Server.Policy;

namespace CredentialBroker.UnitTests.Policy;

public sealed class ModelAllowanceTests
{
    [Theory]
    [InlineData("gpt-4o-mini", true)]
    [InlineData("gpt-4.1", true)]
    [InlineData("gpt-4.1-nano", true)]
    [InlineData("gpt-4o", false)]
    [InlineData("GPT-4o-mini", false)]
    [InlineData("claude-3-opus", false)]
    public void Allows_ExactNamesAndPrefixes(string model, bool allowed) =>
        Assert.Equal(allowed, ModelAllowance.Allows(["gpt-4o-mini", "gpt-4.1*"], model));

    [Fact]
    public void Allows_EmptyAllowance_AllowsEveryModel() =>
        Assert.True(ModelAllowance.Allows([], "anything"));
}
