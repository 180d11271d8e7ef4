using CredentialBroker.Server.Anomalies;
using CredentialBroker.Server.Policy;

namespace CredentialBroker.UnitTests.Anomalies;

public sealed class DetectorTests
{
    private static readonly AnomalyOptions _options = new();

    /// <summary>A day of a busy key: 10-20 requests a minute, varying.</summary>
    private static ActivityBuilder Busy() => new ActivityBuilder().Minutes(24 * 60, 24 * 60 - 5, i => 10 + (i % 11));

    [Fact]
    public void RobustBaseline_OneHugeOutlier_BarelyMovesIt()
    {
        var values = Enumerable.Range(0, 99).Select(i => 10.0 + (i % 5)).Append(10_000).ToArray();

        var baseline = RobustBaseline.Of(values);

        Assert.Equal(12, baseline.Median);
        Assert.Equal(1, baseline.Mad);
        Assert.InRange(baseline.Level, 16, 17);
    }

    [Fact]
    public void Spike_TenfoldRequests_IsReportedWithTheMetric()
    {
        var activity = Busy().Minutes(5, 5, _ => 200).Build();

        var finding = SpikeDetector.Detect(activity, Series(activity), _options);

        Assert.NotNull(finding);
        Assert.Equal(AnomalyKind.Spike, finding.Kind);
        Assert.Equal("requests_per_minute", finding.Evidence["metric"]);
        Assert.Equal("200", finding.Evidence["observed"]);
        Assert.True(finding.Score > 1);
    }

    [Fact]
    public void Spike_NormalVariation_IsNotReported()
    {
        var activity = Busy().Minutes(5, 5, i => 20).Build();

        Assert.Null(SpikeDetector.Detect(activity, Series(activity), _options));
    }

    [Fact]
    public void Spike_QuietKeyTwentyfold_StaysUnderTheFloor()
    {
        var activity = new ActivityBuilder().Minutes(24 * 60, 24 * 60 - 5, i => i % 10 == 0 ? 1 : 0).Minutes(5, 5, _ => 20).Build();

        Assert.Null(SpikeDetector.Detect(activity, Series(activity), _options));
    }

    [Fact]
    public void Spike_ErrorRateJump_IsReported()
    {
        var activity = Busy().Minutes(5, 5, _ => 15, errorShare: 0.9).Build();

        var finding = SpikeDetector.Detect(activity, Series(activity), _options);

        Assert.Equal("error_rate", finding?.Evidence["metric"]);
    }

    [Fact]
    public void Spike_SeveralNeverUsedModels_IsReported()
    {
        var builder = Busy().Minutes(5, 5, _ => 15);
        builder.RecentModels.UnionWith(["o1", "gpt-4.1", "claude-opus"]);

        var finding = SpikeDetector.Detect(builder.Build(), Series(builder.Build()), _options);

        Assert.Equal("new_models", finding?.Evidence["metric"]);
        Assert.Equal("claude-opus,gpt-4.1,o1", finding?.Evidence["models"]);
    }

    [Theory]
    [InlineData(RiskTier.Sandbox, true)]
    [InlineData(RiskTier.Internal, false)]
    public void Ceiling_DependsOnTheRiskTier(RiskTier tier, bool expected)
    {
        var builder = new ActivityBuilder { Tier = tier }.Minutes(3, 1, _ => 400);

        var finding = CeilingDetector.Detect(builder.Build(), _options);

        Assert.Equal(expected, finding is not null);
        if (finding is not null)
        {
            Assert.Equal(AnomalyKind.Ceiling, finding.Kind);
            Assert.Equal(400.0 / 300, finding.Score, 3);
            Assert.Equal("sandbox", finding.Evidence["risk_tier"]);
        }
    }

    [Fact]
    public void Identity_OwnOrNone_IsFine_AnotherIsAFinding()
    {
        var id = Guid.NewGuid();

        Assert.Null(IdentityDetector.Check(id, "spiffe://a", "spiffe://a"));
        Assert.Null(IdentityDetector.Check(id, "spiffe://a", null));
        var finding = IdentityDetector.Check(id, "spiffe://a", "spiffe://b");
        Assert.Equal(AnomalyKind.IdentityMismatch, finding?.Kind);
        Assert.Equal("spiffe://b", finding?.Evidence["presented_identities"]);
        Assert.Equal("spiffe://a", finding?.Evidence["expected_identity"]);
    }

    [Fact]
    public void Identity_ForeignIdentityInTheWindow_IsAFinding()
    {
        var builder = new ActivityBuilder();
        builder.Identities["spiffe://test/agent"] = 50;
        Assert.Null(IdentityDetector.Detect(builder.Build()));

        builder.Identities["spiffe://elsewhere/thief"] = 3;
        var finding = IdentityDetector.Detect(builder.Build());

        Assert.Equal("3", finding?.Evidence["foreign_calls"]);
        Assert.Equal(2, finding?.Score);
    }

    [Theory]
    [InlineData(20, false)]
    [InlineData(21, true)]
    public void Loop_MoreRepeatsThanAllowed_IsAFinding(long repeats, bool expected)
    {
        var builder = new ActivityBuilder();
        builder.Prompts["0123456789abcdef"] = repeats;
        builder.Prompts["fedcba9876543210"] = 3;

        var finding = LoopDetector.Detect(builder.Build(), _options);

        Assert.Equal(expected, finding is not null);
        Assert.Equal(expected ? "0123456789abcdef" : null, finding?.Evidence["prompt_fingerprint"]);
    }

    [Fact]
    public void FanOut_CountsOverlapsNotTouchingSpans()
    {
        var t = ActivityBuilder.Now;
        List<CallSpan> spans = [new(t, t.AddSeconds(10)), new(t.AddSeconds(1), t.AddSeconds(5)), new(t.AddSeconds(2), t.AddSeconds(3)), new(t.AddSeconds(10), t.AddSeconds(12))];

        Assert.Equal(3, FanOutDetector.MaxConcurrency(spans));
        Assert.Null(FanOutDetector.Check(Guid.NewGuid(), 50, 50));
        Assert.Equal(1.2, FanOutDetector.Check(Guid.NewGuid(), 60, 50)?.Score);
    }

    [Fact]
    public void Scanner_NormalBusyKey_FindsNothing()
    {
        var builder = Busy().Minutes(5, 5, i => 12 + i);
        builder.Identities["spiffe://test/agent"] = 60;

        Assert.Empty(AnomalyScanner.Scan(builder.Build(), _options));
    }

    private static ActivitySeries Series(CredentialActivity activity) =>
        ActivitySeries.Of(activity.Minutes, activity.Now, _options.Window, _options.BaselineWindow);
}
