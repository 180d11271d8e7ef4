using CredentialBroker.Server.Grpc;
using Google.Protobuf.WellKnownTypes;

namespace CredentialBroker.UnitTests.Grpc;

public sealed class RequestValidatorTests
{
    [Theory]
    [InlineData(-1, 0, "must be positive")]
    [InlineData(0, -5, "must be positive")]
    [InlineData(30, 0, "at least 1m")]
    [InlineData(400L * 24 * 3600, 0, "at most 365d")]
    [InlineData(long.MaxValue, 0, "far too long")]
    public void Duration_OutOfRange_RecordsViolation(long seconds, int nanos, string message)
    {
        var v = new RequestValidator();
        Assert.Null(v.Duration("ttl", new Duration { Seconds = seconds, Nanos = nanos }, TimeSpan.FromMinutes(1), TimeSpan.FromDays(365)));
        var ex = Assert.Throws<global::Grpc.Core.RpcException>(v.ThrowIfInvalid);
        Assert.Contains("ttl: ", ex.Status.Detail);
        Assert.Contains(message, ex.Status.Detail);
    }

    [Fact]
    public void PageToken_RoundTripsAndRejectsForeignTokens()
    {
        var v = new RequestValidator();
        Assert.Equal(["a", "b"], PageToken.Decode(v, PageToken.Encode("a", "b"), 2)!);
        Assert.True(v.IsValid);
        Assert.Null(PageToken.Decode(v, PageToken.Encode("a"), 2));
        Assert.Null(PageToken.Decode(v, "%%%", 1));
        Assert.False(v.IsValid);
    }

    [Fact]
    public void Labels_BadKeysAndTooMany_AreViolations()
    {
        var v = new RequestValidator();
        var labels = Enumerable.Range(0, 17).ToDictionary(i => $"k{i}", _ => "v");
        labels["Upper"] = "v";
        v.Labels("labels", labels);
        var ex = Assert.Throws<global::Grpc.Core.RpcException>(v.ThrowIfInvalid);
        Assert.Contains("at most 16", ex.Status.Detail);
        Assert.Contains("labels[Upper]", ex.Status.Detail);
    }
}
