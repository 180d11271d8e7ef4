using CredentialBroker.Server.Audit;

namespace CredentialBroker.UnitTests.Audit;

public sealed class AuditChainTests
{
    private static readonly AuditChain.SealedFields _event = new(
        7, 42, new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero), "workload:spiffe://x/y", "workload",
        "credential.issued", "credential", "id-1", null, "success", "{\"method\": \"/m\"}");

    [Fact]
    public void Hash_IsDeterministicAndChainsOnThePrevious()
    {
        var a = AuditChain.Hash(AuditChain.Genesis, _event);
        Assert.Equal(a, AuditChain.Hash(AuditChain.Genesis, _event));
        Assert.NotEqual(a, AuditChain.Hash(a, _event));
    }

    [Fact]
    public void Hash_ChangesWhenAnyFieldChanges()
    {
        var original = AuditChain.Hash(AuditChain.Genesis, _event);
        var variants = new[]
        {
            _event with { Seq = 8 },
            _event with { Id = 43 },
            _event with { OccurredAt = _event.OccurredAt.AddTicks(10) },
            _event with { Actor = "workload:spiffe://x/z" },
            _event with { ActorRole = null },
            _event with { Action = "credential.revoked" },
            _event with { TargetType = "owner" },
            _event with { TargetId = null },
            _event with { Reason = "" },
            _event with { Outcome = "denied" },
            _event with { Metadata = "{}" },
        };

        Assert.All(variants, v => Assert.NotEqual(original, AuditChain.Hash(AuditChain.Genesis, v)));
    }

    [Fact]
    public void Hash_FieldBoundariesAreUnambiguous()
    {
        var a = _event with { Actor = "ab", Action = "c" };
        var b = _event with { Actor = "a", Action = "bc" };
        Assert.NotEqual(AuditChain.Hash(AuditChain.Genesis, a), AuditChain.Hash(AuditChain.Genesis, b));
    }

    [Fact]
    public void Scrub_RemovesBrokerSecretsFromFreeText()
    {
        var key = CredentialBroker.Server.Credentials.SecretKey.Generate("cbk");
        var scrubbed = SecretScrubber.Scrub($"leaked {key} in slack");
        Assert.DoesNotContain(key, scrubbed);
        Assert.Contains(key[..12] + "[redacted]", scrubbed);
    }
}
