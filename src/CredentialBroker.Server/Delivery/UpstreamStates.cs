using CredentialBroker.Server.Persistence;
using Microsoft.EntityFrameworkCore;

namespace CredentialBroker.Server.Delivery;

/// <summary>Adds delivery and upstream-key state to credentials on the wire.</summary>
internal static class UpstreamStates
{
    public static async Task AnnotateAsync(BrokerDbContext db, IList<V1.Credential> credentials, CancellationToken cancellationToken)
    {
        var ids = credentials.Select(c => Guid.Parse(c.Id)).ToList();
        var states = ids.Count == 0
            ? []
            : await db.UpstreamKeys.AsNoTracking().Where(u => ids.Contains(u.CredentialId)).ToDictionaryAsync(u => u.CredentialId, u => u.State, cancellationToken);
        foreach (var credential in credentials)
        {
            var found = states.TryGetValue(Guid.Parse(credential.Id), out var state);
            credential.Delivery = found ? "direct" : "gateway";
            credential.UpstreamState = found ? state : string.Empty;
        }
    }
}
