using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Identity;
using CredentialBroker.Server.Persistence;
using Grpc.Core;

namespace CredentialBroker.Server.Admin;

/// <summary>Who offboards: an RPC caller (with its call, for audit metadata) or a system job.</summary>
internal sealed record OffboardingActor(Caller Caller, ServerCallContext? Call, string? Job = null)
{
    public static OffboardingActor System(string job) => new(new Caller(BrokerRole.Admin, "system:" + job), null, job);

    /// <summary>Adds a success event by this actor to <paramref name="db"/>.</summary>
    public void Record(AuditLog audit, BrokerDbContext db, AuditEntry entry)
    {
        if (Job is { } job)
        {
            audit.RecordSystem(db, job, entry);
        }
        else
        {
            audit.Record(db, Caller, Call, entry);
        }
    }
}
