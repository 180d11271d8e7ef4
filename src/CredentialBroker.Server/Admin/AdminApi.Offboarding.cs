using CredentialBroker.Server.Grpc;
using CredentialBroker.Server.Identity;
using CredentialBroker.V1;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;

namespace CredentialBroker.Server.Admin;

/// <summary>Retiring purposes, deregistering workloads and syncing owners from the directory.</summary>
internal sealed partial class AdminApi
{
    public override async Task<V1.Purpose> RetirePurpose(RetirePurposeRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var id = v.Id("id", request.Id);
        var reason = v.Required("reason", request.Reason, 512);
        v.ThrowIfInvalid();
        if (!await db.Purposes.AnyAsync(p => p.Id == id, context.CancellationToken))
        {
            RpcErrors.NotFound($"Purpose {id} does not exist.");
        }

        await offboarding.RetirePurposeAsync(id, reason, new OffboardingActor(AuthInterceptor.GetCaller(context), context), context.CancellationToken);
        return AdminMapper.ToProto(await db.Purposes.AsNoTracking().FirstAsync(p => p.Id == id, context.CancellationToken));
    }

    public override async Task<V1.Workload> DeregisterWorkload(DeregisterWorkloadRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var id = v.Id("id", request.Id);
        var reason = v.Required("reason", request.Reason, 512);
        v.ThrowIfInvalid();
        if (!await db.Workloads.AnyAsync(w => w.Id == id, context.CancellationToken))
        {
            RpcErrors.NotFound($"Workload {id} does not exist.");
        }

        await offboarding.DeregisterWorkloadAsync(id, reason, new OffboardingActor(AuthInterceptor.GetCaller(context), context), context.CancellationToken);
        return AdminMapper.ToProto(await db.Workloads.AsNoTracking().FirstAsync(w => w.Id == id, context.CancellationToken));
    }

    public override async Task<SyncOwnerDirectoryResponse> SyncOwnerDirectory(SyncOwnerDirectoryRequest request, ServerCallContext context)
    {
        Governance.DirectoryFormat? format = request.Format.Trim().ToLowerInvariant() switch
        {
            "" => Governance.DirectoryFormat.Auto,
            "csv" => Governance.DirectoryFormat.Csv,
            "json" => Governance.DirectoryFormat.Json,
            _ => null,
        };
        if (format is null)
        {
            RpcErrors.InvalidArgument("format", "must be \"csv\", \"json\" or empty (detected from the content)");
        }

        var parsed = Governance.OwnerDirectoryParser.Parse(request.Content, format.Value);
        if (parsed.Errors.Count > 0)
        {
            RpcErrors.InvalidArgument(parsed.Errors.Select(e => (e.Field, e.Description)).ToList());
        }

        var plan = await directorySync.SyncAsync(parsed.Entries, request.DryRun, new OffboardingActor(AuthInterceptor.GetCaller(context), context), context.CancellationToken);
        return plan.ToProto(request.DryRun);
    }
}
