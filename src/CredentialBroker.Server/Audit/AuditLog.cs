using System.Text.Json;
using CredentialBroker.Server.Identity;
using CredentialBroker.Server.Persistence;
using Grpc.Core;

namespace CredentialBroker.Server.Audit;

/// <summary>
/// Writes audit events. Changes add their event to the same DbContext so both commit in one
/// transaction; denials are written on their own because the denied change never happens.
/// </summary>
internal sealed class AuditLog(IServiceScopeFactory scopes, AuditSealer sealer, TimeProvider time, ILogger<AuditLog> logger)
{
    public const string Success = "success";
    public const string Denied = "denied";

    /// <summary>Adds a success event to <paramref name="db"/>; it commits with the caller's SaveChanges.</summary>
    public void Record(BrokerDbContext db, Caller caller, ServerCallContext? call, AuditEntry entry) =>
        db.AuditEvents.Add(Create(caller, call, entry, Success));

    /// <summary>A success event for a writer that inserts it itself, in the same transaction as its change.</summary>
    public AuditEvent Describe(Caller caller, ServerCallContext? call, AuditEntry entry) => Create(caller, call, entry, Success);

    /// <summary>Adds a success event by a system job (no request).</summary>
    public void RecordSystem(BrokerDbContext db, string job, AuditEntry entry) =>
        db.AuditEvents.Add(Create(new Caller(BrokerRole.Admin, "system:" + job), null, entry, Success, systemActor: true));

    /// <summary>Writes a denial event in its own transaction.</summary>
    public async Task RecordDenialAsync(Caller caller, ServerCallContext? call, AuditEntry entry)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BrokerDbContext>();
            db.AuditEvents.Add(Create(caller, call, entry, Denied));
            await db.SaveChangesAsync(CancellationToken.None);
            sealer.Signal();
        }
        catch (Exception ex)
        {
            // A denial is answered even when it cannot be recorded; the failure itself is logged.
            AuditLogMessages.DenialNotRecorded(logger, entry.Action, ex);
        }
    }

    /// <summary>Tells the sealer that committed events are waiting.</summary>
    public void Committed() => sealer.Signal();

    private AuditEvent Create(Caller caller, ServerCallContext? call, AuditEntry entry, string outcome, bool systemActor = false)
    {
        var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (call is not null)
        {
            metadata["method"] = call.Method;
            metadata["peer"] = call.Peer;
            var http = call.GetHttpContext();
            if (http.Request.Headers.UserAgent is { Count: > 0 } agent)
            {
                metadata["user_agent"] = Clip(agent.ToString(), 200);
            }

            if (http.Request.Headers.TryGetValue("x-request-id", out var requestId))
            {
                metadata["request_id"] = Clip(requestId.ToString(), 100);
            }
        }

        foreach (var (key, value) in entry.Details ?? new Dictionary<string, string>())
        {
            metadata[key] = Clip(SecretScrubber.Scrub(value), 1000);
        }

        return new AuditEvent
        {
            OccurredAt = time.GetUtcNow(),
            Actor = caller.Actor,
            ActorRole = systemActor || caller == Caller.Anonymous ? null : BrokerRoles.ToDb(caller.Role),
            Action = entry.Action,
            TargetType = entry.TargetType,
            TargetId = entry.TargetId,
            Reason = entry.Reason is null ? null : Clip(SecretScrubber.Scrub(entry.Reason), 1000),
            Outcome = outcome,
            Metadata = JsonSerializer.Serialize(metadata),
        };
    }

    private static string Clip(string value, int max) => value.Length <= max ? value : value[..max];
}
