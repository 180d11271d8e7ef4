using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Delivery;
using CredentialBroker.Server.Grpc;
using CredentialBroker.Server.Identity;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using CredentialBroker.Server.Persistence;

namespace CredentialBroker.Server.Admin;

/// <summary>Direct delivery: the Anthropic key pool and shadow keys.</summary>
internal sealed partial class AdminApi
{
    private const int MaxPoolKeysPerCall = 500;

    public override async Task<AddProviderKeysResponse> AddProviderKeys(AddProviderKeysRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var providerId = v.Id("provider_id", request.ProviderId);
        if (request.Keys.Count is 0 or > MaxPoolKeysPerCall)
        {
            v.Add("keys", $"must hold 1-{MaxPoolKeysPerCall} keys");
        }

        for (var i = 0; i < request.Keys.Count; i++)
        {
            v.Name($"keys[{i}].key_id", request.Keys[i].KeyId, 128);
            v.Required($"keys[{i}].key_secret", request.Keys[i].KeySecret, 4096);
        }

        if (request.Keys.Select(k => k.KeyId).Distinct(StringComparer.Ordinal).Count() != request.Keys.Count)
        {
            v.Add("keys", "names a key_id more than once");
        }

        v.ThrowIfInvalid();
        var provider = await db.Providers.AsNoTracking().FirstOrDefaultAsync(p => p.Id == providerId, context.CancellationToken);
        if (provider is null)
        {
            RpcErrors.NotFound($"Provider {providerId} does not exist.");
        }

        if (provider.Kind != "anthropic")
        {
            RpcErrors.FailedPrecondition($"Provider '{provider.Name}' is of kind '{provider.Kind}'; key pools are for anthropic providers (OpenAI direct delivery mints a service account per credential).");
        }

        if (!rootKeys.IsConfigured)
        {
            RpcErrors.FailedPrecondition("keys: no master key is configured to encrypt them; set Broker:MasterKeyFile (or Broker:MasterKey) and restart.");
        }

        var now = time.GetDbNow();
        db.PoolKeys.AddRange(request.Keys.Select(k => new PoolKey
        {
            Id = Guid.CreateVersion7(now),
            ProviderId = provider.Id,
            UpstreamId = k.KeyId,
            KeyEnvelope = rootKeys.Protect(PoolKey.EnvelopeName(provider.Name, k.KeyId), k.KeySecret),
            AddedAt = now,
        }));
        audit.Record(db, AuthInterceptor.GetCaller(context), context, new AuditEntry("provider.keys_added", "provider", provider.Id.ToString(), null, new Dictionary<string, string>
        {
            ["name"] = provider.Name,
            ["count"] = request.Keys.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["key_ids"] = string.Join(',', request.Keys.Select(k => k.KeyId)),
        }));
        await SaveUniqueAsync($"keys: at least one key_id is already in the pool of provider '{provider.Name}' (a key is never assigned twice).", context);
        var available = await db.PoolKeys.LongCountAsync(k => k.ProviderId == provider.Id && k.Status == PoolKey.Available, context.CancellationToken);
        return new AddProviderKeysResponse { Added = request.Keys.Count, Available = available };
    }

    public override async Task<ListShadowKeysResponse> ListShadowKeys(ListShadowKeysRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var name = v.MaxLength("provider", request.Provider, 64);
        v.ThrowIfInvalid();
        var rows = await (
            from s in db.ShadowKeys.AsNoTracking()
            join p in db.Providers on s.ProviderId equals p.Id
            where name.Length == 0 || p.Name == name
            orderby s.LastSeen descending, s.UpstreamId
            select new { s, p.Name })
            .Take(1000)
            .ToListAsync(context.CancellationToken);
        return new ListShadowKeysResponse
        {
            ShadowKeys =
            {
                rows.Select(r => new V1.ShadowKey
                {
                    Provider = r.Name,
                    UpstreamId = r.s.UpstreamId,
                    Name = r.s.Name,
                    FirstSeen = Timestamp.FromDateTimeOffset(r.s.FirstSeen),
                    LastSeen = Timestamp.FromDateTimeOffset(r.s.LastSeen),
                }),
            },
        };
    }
}
