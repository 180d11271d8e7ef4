using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;

namespace CredentialBroker.Server.DevMode;

/// <summary>Seeds dev mode through the public API, so the demo data has the same audit trail as real data.</summary>
internal static class DevSeed
{
    public const string Owner = "demo-team";
    public const string Workload = "spiffe://dev.local/demo-agent";
    public const string Provider = "openai";
    public const string Purpose = "demo-chat";

    public sealed record Result(string WorkloadToken, string OwnerToken, string SecurityToken, string OwnerId);

    public static async Task<Result> RunAsync(string grpcAddress, string adminToken)
    {
        using var channel = GrpcChannel.ForAddress(grpcAddress);
        var admin = new AdminService.AdminServiceClient(channel);
        var auth = new Metadata { { "authorization", "Bearer " + adminToken } };

        var owner = await admin.CreateOwnerAsync(new CreateOwnerRequest { Name = Owner, Email = "demo-team@example.com" }, auth);
        var workload = await admin.RegisterWorkloadAsync(new RegisterWorkloadRequest { Identity = Workload, OwnerId = owner.Id, Description = "demo agent (dev mode)" }, auth);
        await admin.RegisterProviderAsync(new RegisterProviderRequest { Name = Provider, Kind = "openai", BaseUrl = "https://api.openai.com" }, auth);
        var purpose = await admin.CreatePurposeAsync(new CreatePurposeRequest
        {
            Name = Purpose,
            Description = "Demo chat completions (dev mode)",
            OwnerId = owner.Id,
            RiskTier = RiskTier.Sandbox,
            DefaultTtl = Duration.FromTimeSpan(TimeSpan.FromMinutes(15)),
            MaxTtl = Duration.FromTimeSpan(TimeSpan.FromHours(1)),
            MaxLifetime = Duration.FromTimeSpan(TimeSpan.FromHours(8)),
            AllowedProviders = { Provider },
            AllowedModels = { "gpt-4o-mini", "gpt-4.1*" },
        }, auth);
        await admin.GrantPurposeAsync(new GrantPurposeRequest { WorkloadId = workload.Id, PurposeId = purpose.Id }, auth);

        var ttl = Duration.FromTimeSpan(TimeSpan.FromHours(24));
        var workloadToken = await admin.CreateAccessTokenAsync(new CreateAccessTokenRequest { Role = Role.Workload, WorkloadId = workload.Id, Ttl = ttl, Description = "dev mode demo workload" }, auth);
        var ownerToken = await admin.CreateAccessTokenAsync(new CreateAccessTokenRequest { Role = Role.Owner, OwnerId = owner.Id, Ttl = ttl, Description = "dev mode demo owner" }, auth);
        var securityToken = await admin.CreateAccessTokenAsync(new CreateAccessTokenRequest { Role = Role.Security, Ttl = ttl, Description = "dev mode security" }, auth);
        return new Result(workloadToken.Token, ownerToken.Token, securityToken.Token, owner.Id);
    }
}
