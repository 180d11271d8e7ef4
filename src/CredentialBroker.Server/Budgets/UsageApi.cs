using CredentialBroker.Server.Gateway;
using CredentialBroker.Server.Grpc;
using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Identity;
using CredentialBroker.Server.Persistence;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using BudgetWindow = CredentialBroker.Server.Gateway.BudgetWindow;

namespace CredentialBroker.Server.Budgets;

/// <summary>gRPC <c>UsageService</c>: metered usage and where budgets stand, for a credential, purpose or owner.</summary>
internal sealed class UsageApi(
    BrokerDbContext db,
    NpgsqlDataSource dataSource,
    AccessGuard guard,
    IOptions<BrokerOptions> options,
    TimeProvider time) : UsageService.UsageServiceBase
{
    /// <summary>The credential and everything delegated from it, at any depth (usage roll-up).</summary>
    // The credential and every credential delegated from it, at any depth.
    private const string Subtree =
        "(WITH RECURSIVE tree AS (SELECT id FROM credentials WHERE id = $1 " +
        "UNION ALL SELECT c.id FROM credentials c JOIN tree t ON c.parent_id = t.id) SELECT id FROM tree)";

    private readonly TimeZoneInfo _zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.Gateway.BudgetTimeZone);

    public override async Task<GetUsageResponse> GetUsage(GetUsageRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var (scope, column, id) = request.ScopeCase switch
        {
            GetUsageRequest.ScopeOneofCase.CredentialId => ("credential", "credential_id", v.Id("credential_id", request.CredentialId)),
            GetUsageRequest.ScopeOneofCase.PurposeId => ("purpose", "purpose_id", v.Id("purpose_id", request.PurposeId)),
            GetUsageRequest.ScopeOneofCase.OwnerId => ("owner", "owner_id", v.Id("owner_id", request.OwnerId)),
            _ => (string.Empty, string.Empty, Guid.Empty),
        };
        if (scope.Length == 0)
        {
            v.Add("scope", "is required: set credential_id, purpose_id or owner_id");
        }

        if (request.IncludeDescendants && scope != "credential")
        {
            v.Add("include_descendants", "applies to credential_id only (purposes and owners already include every credential)");
        }

        var now = time.GetUtcNow();
        var window = request.Window == V1.BudgetWindow.Unspecified ? BudgetWindow.Month : GatewayMapper.FromProto(request.Window) ?? BudgetWindow.Month;
        var start = request.StartTime?.ToDateTimeOffset() ?? BudgetWindows.Start(window, now, _zone);
        var end = request.EndTime?.ToDateTimeOffset() ?? now;
        if (end <= start)
        {
            v.Add("end_time", "must be after start_time");
        }

        v.ThrowIfInvalid();
        var (ownerId, budgets) = await ResolveScopeAsync(scope, id, context);
        var caller = AuthInterceptor.GetCaller(context);
        var allowed = caller.Role switch
        {
            BrokerRole.Security or BrokerRole.Admin => true,
            BrokerRole.Owner => caller.OwnerId == ownerId,
            BrokerRole.Workload => scope == "credential" && await db.Credentials.AnyAsync(c => c.Id == id && c.WorkloadId == caller.WorkloadId, context.CancellationToken),
            _ => false,
        };
        if (!allowed)
        {
            throw await guard.DenyAsync(context, StatusCode.PermissionDenied,
                $"You may read usage only of your own {(caller.Role == BrokerRole.Workload ? "credentials" : "credentials, purposes and owner")}.", "usage.read.denied", scope, id.ToString());
        }

        var response = new GetUsageResponse { StartTime = Timestamp.FromDateTimeOffset(start), EndTime = Timestamp.FromDateTimeOffset(end), Totals = new UsageTotals() };
        // Whole hours come from the hourly roll-ups, the partial hours at either end from raw events.
        var (rollupStart, rollupEnd) = UsageRanges.WholeHours(start, end);
        var endOperator = request.EndTime is null ? "<=" : "<";
        // The subtree as an array (computed once): with IN (subquery) the planner joined and matched raw events on
        // credential_id alone, reading every event of a busy credential's month to find the partial hours.
        var rawFilter = request.IncludeDescendants ? $"credential_id = ANY(ARRAY{Subtree})" : column + " = $1";
        var rollupFilter = request.IncludeDescendants ? $"scope = 'credential' AND scope_id = ANY(ARRAY{Subtree})" : "scope = $6 AND scope_id = $1";
        await using (var command = dataSource.CreateCommand(
            $"""
            SELECT model, sum(requests)::bigint, sum(failed)::bigint, sum(input), sum(cached), sum(output), sum(cost)
            FROM (
                SELECT model, requests, failed_requests AS failed, input_tokens AS input, cached_input_tokens AS cached, output_tokens AS output, cost_micro_usd AS cost
                FROM usage_hourly WHERE {rollupFilter} AND hour >= $4 AND hour < $5
                UNION ALL
                SELECT model, count(*), count(*) FILTER (WHERE outcome <> 'success'), sum(input_tokens), sum(cached_input_tokens), sum(output_tokens), sum(cost_micro_usd)
                FROM usage_events
                WHERE {rawFilter} AND ((occurred_at >= $2 AND occurred_at < $4) OR (occurred_at >= $5 AND occurred_at {endOperator} $3))
                GROUP BY model
            ) u
            GROUP BY model ORDER BY sum(cost) DESC, model
            """))
        {
            command.Parameters.Add(new() { Value = id });
            command.Parameters.Add(new() { Value = start });
            command.Parameters.Add(new() { Value = end });
            command.Parameters.Add(new() { Value = rollupStart });
            command.Parameters.Add(new() { Value = rollupEnd });
            command.Parameters.Add(new() { Value = scope });
            await using var reader = await command.ExecuteReaderAsync(context.CancellationToken);
            while (await reader.ReadAsync(context.CancellationToken))
            {
                var totals = new UsageTotals
                {
                    Requests = reader.GetInt64(1),
                    FailedRequests = reader.GetInt64(2),
                    InputTokens = (long)reader.GetDecimal(3),
                    CachedInputTokens = (long)reader.GetDecimal(4),
                    OutputTokens = (long)reader.GetDecimal(5),
                    CostMicroUsd = (long)reader.GetDecimal(6),
                };
                response.ByModel.Add(new ModelUsage { Model = reader.GetString(0), Totals = totals });
                response.Totals.Requests += totals.Requests;
                response.Totals.FailedRequests += totals.FailedRequests;
                response.Totals.InputTokens += totals.InputTokens;
                response.Totals.CachedInputTokens += totals.CachedInputTokens;
                response.Totals.OutputTokens += totals.OutputTokens;
                response.Totals.CostMicroUsd += totals.CostMicroUsd;
            }
        }

        foreach (var (budgetScope, budgetScopeId, limit) in budgets)
        {
            response.Budgets.Add(await BudgetStatusAsync(budgetScope, budgetScopeId, limit, now, context.CancellationToken));
        }

        return response;
    }

    /// <summary>The owner the scope belongs to, and the budgets that apply to it.</summary>
    private async Task<(Guid OwnerId, List<(string Scope, Guid Id, BudgetLimit Limit)> Budgets)> ResolveScopeAsync(string scope, Guid id, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        List<(string, Guid, BudgetLimit)> budgets = [];
        switch (scope)
        {
            case "credential":
                var credential = await db.Credentials.AsNoTracking().Where(c => c.Id == id).Select(c => new { c.OwnerId, c.PurposeId, c.Limits }).FirstOrDefaultAsync(ct)
                    ?? throw new RpcException(new Status(StatusCode.NotFound, $"Credential {id} does not exist."));
                var policy = await db.Purposes.AsNoTracking().Where(p => p.Id == credential.PurposeId).Select(p => p.Gateway).FirstAsync(ct);
                budgets.AddRange(policy.CredentialLimits.Budgets.Select(b => ("credential", id, b)));
                budgets.AddRange(credential.Limits.Budgets.Select(b => ("delegation", id, b)));
                return (credential.OwnerId, budgets);
            case "purpose":
                var purpose = await db.Purposes.AsNoTracking().Where(p => p.Id == id).Select(p => new { p.OwnerId, p.Gateway }).FirstOrDefaultAsync(ct)
                    ?? throw new RpcException(new Status(StatusCode.NotFound, $"Purpose {id} does not exist."));
                budgets.AddRange(purpose.Gateway.PurposeLimits.Budgets.Select(b => ("purpose", id, b)));
                return (purpose.OwnerId, budgets);
            default:
                var owner = await db.Owners.AsNoTracking().Where(o => o.Id == id).Select(o => new { o.Id, o.Limits }).FirstOrDefaultAsync(ct)
                    ?? throw new RpcException(new Status(StatusCode.NotFound, $"Owner {id} does not exist."));
                budgets.AddRange(owner.Limits.Budgets.Select(b => ("owner", id, b)));
                return (owner.Id, budgets);
        }
    }

    private async Task<BudgetStatus> BudgetStatusAsync(string scope, Guid id, BudgetLimit limit, DateTimeOffset now, CancellationToken ct)
    {
        var start = BudgetWindows.Start(limit.Window, now, _zone);
        var status = new BudgetStatus
        {
            Scope = scope,
            ScopeId = id.ToString(),
            Window = GatewayMapper.ToProto(limit.Window),
            WindowStart = Timestamp.FromDateTimeOffset(start),
            MaxMicroUsd = limit.MaxMicroUsd,
            MaxTokens = limit.MaxTokens,
        };
        await using var command = dataSource.CreateCommand(
            "SELECT spent_micro_usd, reserved_micro_usd, spent_tokens, reserved_tokens FROM budget_counters WHERE scope = $1 AND scope_id = $2 AND time_window = $3 AND window_start = $4");
        command.Parameters.Add(new() { Value = scope });
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = BudgetWindows.ToDb(limit.Window) });
        command.Parameters.Add(new() { Value = start });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (await reader.ReadAsync(ct))
        {
            status.SpentMicroUsd = reader.GetInt64(0);
            status.ReservedMicroUsd = reader.GetInt64(1);
            status.SpentTokens = reader.GetInt64(2);
            status.ReservedTokens = reader.GetInt64(3);
        }

        return status;
    }
}
