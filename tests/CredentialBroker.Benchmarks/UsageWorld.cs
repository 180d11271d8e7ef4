using CredentialBroker.Server.DevMode;
using CredentialBroker.V1;
using Npgsql;

namespace CredentialBroker.Benchmarks;

/// <summary>One credential the synthetic traffic can come from, with what its usage events carry.</summary>
internal sealed record UsageCredential(Guid Id, Guid OwnerId, Guid PurposeId, Guid WorkloadId, string Provider, int Depth);

/// <summary>
/// The owners, purposes and credentials of the usage scenario: several teams, each with a few
/// purposes on either provider, two thousand credentials and a small delegation tree. They are
/// real rows (copies of dev mode's seed with new ids and names), so GetUsage finds every scope.
/// </summary>
internal sealed record UsageWorld(IReadOnlyList<Guid> Owners, IReadOnlyList<Guid> Purposes, IReadOnlyList<UsageCredential> Credentials)
{
    public const int OwnerCount = 8;
    public const int PurposesPerOwner = 3;
    public const int CredentialCount = 2000;

    /// <summary>Credentials delegated from <see cref="Credentials"/>[0] (depth 1), for include_descendants.</summary>
    public const int Delegated = 4;

    public static async Task<UsageWorld> CreateAsync(BrokerHost broker, NpgsqlDataSource data, CancellationToken cancellationToken)
    {
        var issuer = new CredentialService.CredentialServiceClient(broker.Channels[0]);
        var templates = new Dictionary<string, Guid>();
        foreach (var provider in new[] { DevSeed.Provider, DevSeed.AnthropicProvider })
        {
            var issued = await issuer.IssueCredentialAsync(new IssueCredentialRequest { Purpose = DevSeed.Purpose, Provider = provider }, broker.WorkloadAuth, cancellationToken: cancellationToken);
            templates[provider] = Guid.Parse(issued.Credential.Id);
        }

        var random = new Random(20261129);
        var owners = Enumerable.Range(0, OwnerCount).Select(_ => Guid.NewGuid()).ToArray();
        var purposes = Enumerable.Range(0, OwnerCount * PurposesPerOwner).Select(_ => Guid.NewGuid()).ToArray();
        var credentials = new List<UsageCredential>();
        var workload = await ScalarAsync<Guid>(data, "SELECT workload_id FROM credentials WHERE id = $1", cancellationToken, templates[DevSeed.Provider]);
        for (var i = 0; i < CredentialCount; i++)
        {
            var purpose = random.Next(purposes.Length);
            credentials.Add(new UsageCredential(Guid.NewGuid(), owners[purpose / PurposesPerOwner], purposes[purpose], workload, purpose % 2 == 0 ? DevSeed.Provider : DevSeed.AnthropicProvider, 0));
        }

        var root = credentials[0];
        for (var i = 0; i < Delegated; i++)
        {
            credentials.Add(root with { Id = Guid.NewGuid(), Depth = 1 });
        }

        // Copies of the seeded owner and purpose: every column as dev mode made it, new ids and names.
        await ExecuteAsync(data,
            """
            INSERT INTO owners SELECT (jsonb_populate_record(o, jsonb_build_object('id', u.id, 'name', 'usage-team-' || u.n, 'email', 'usage-team-' || u.n || '@example.com'))).*
            FROM owners o, unnest($2::uuid[]) WITH ORDINALITY AS u (id, n) WHERE o.id = $1
            """, cancellationToken, Guid.Parse(broker.OwnerId), owners);
        await ExecuteAsync(data,
            """
            INSERT INTO purposes SELECT (jsonb_populate_record(p, jsonb_build_object('id', u.id, 'name', 'usage-purpose-' || u.n, 'owner_id', u.owner_id))).*
            FROM purposes p, unnest($2::uuid[], $3::uuid[]) WITH ORDINALITY AS u (id, owner_id, n) WHERE p.name = $1
            """, cancellationToken, DevSeed.Purpose, purposes, purposes.Select((_, i) => owners[i / PurposesPerOwner]).ToArray());
        foreach (var provider in templates.Keys)
        {
            var mine = credentials.Where(c => c.Provider == provider).ToList();
            await ExecuteAsync(data,
                """
                INSERT INTO credentials (id, prefix, secret_hash, owner_id, purpose_id, workload_id, provider_id, provider_name, models, labels, status,
                                         issued_at, expires_at, max_expires_at, parent_id, root_id, depth)
                SELECT u.id, 'cbk_usage' || u.id, sha256(convert_to(u.id::text, 'UTF8')), u.owner_id, u.purpose_id, t.workload_id, t.provider_id, t.provider_name,
                       t.models, t.labels, 'active', t.issued_at, t.expires_at, t.max_expires_at,
                       CASE WHEN u.depth > 0 THEN $5 END, CASE WHEN u.depth > 0 THEN $5 END, u.depth
                FROM credentials t, unnest($2::uuid[], $3::uuid[], $4::uuid[], $6::int[]) AS u (id, owner_id, purpose_id, depth)
                WHERE t.id = $1
                ORDER BY u.depth
                """, cancellationToken, templates[provider], mine.Select(c => c.Id).ToArray(), mine.Select(c => c.OwnerId).ToArray(),
                mine.Select(c => c.PurposeId).ToArray(), root.Id, mine.Select(c => c.Depth).ToArray());
        }

        return new UsageWorld(owners, purposes, credentials);
    }

    private static async Task ExecuteAsync(NpgsqlDataSource data, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = data.CreateCommand(sql);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new() { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource data, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = data.CreateCommand(sql);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new() { Value = value });
        }

        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
