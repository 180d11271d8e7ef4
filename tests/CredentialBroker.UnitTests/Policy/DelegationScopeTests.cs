using CredentialBroker.Server.Policy;

namespace CredentialBroker.UnitTests.Policy;

public sealed class DelegationScopeTests
{
    [Theory]
    [InlineData(new string[0], "anything", true)]
    [InlineData(new[] { "gpt-4o" }, "gpt-4o", true)]
    [InlineData(new[] { "gpt-4o" }, "gpt-4o-mini", false)]
    [InlineData(new[] { "gpt-4o" }, "gpt-4o*", false)]
    [InlineData(new[] { "gpt-4*" }, "gpt-4o-mini", true)]
    [InlineData(new[] { "gpt-4*" }, "gpt-4o*", true)]
    [InlineData(new[] { "gpt-4*" }, "gpt-4*", true)]
    [InlineData(new[] { "gpt-4o*" }, "gpt-4*", false)]
    [InlineData(new[] { "gpt-4o*" }, "*", false)]
    [InlineData(new[] { "claude-*", "gpt-4o" }, "claude-sonnet-4", true)]
    public void ModelWithin_ChildNeverWiderThanParent(string[] parent, string child, bool expected) =>
        Assert.Equal(expected, DelegationScope.ModelWithin(parent, child));

    [Fact]
    public void ChildModels_Unset_InheritsExactlyTheParents()
    {
        Assert.Equal(["gpt-4o"], DelegationScope.ChildModels(["gpt-4o"], []));
        Assert.Equal(["gpt-4o-mini"], DelegationScope.ChildModels(["gpt-4*"], ["gpt-4o-mini"]));
    }

    [Fact]
    public void EndpointWithin_EmptyParentAllowsAll_OtherwiseOnlyListed()
    {
        Assert.True(DelegationScope.EndpointWithin([], "embeddings"));
        Assert.True(DelegationScope.EndpointWithin(["chat.completions"], "chat.completions"));
        Assert.False(DelegationScope.EndpointWithin(["chat.completions"], "embeddings"));
    }
}
