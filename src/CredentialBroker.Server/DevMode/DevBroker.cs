using System.Security.Cryptography;
using CredentialBroker.Server.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace CredentialBroker.Server.DevMode;

/// <summary>
/// <c>dev</c>: a complete broker on a throwaway local PostgreSQL, seeded with a demo owner,
/// workload, purpose, grant and provider, printing an admin token and commands to try
/// (like <c>vault server -dev</c>). Everything is deleted when it stops.
/// </summary>
internal static class DevBroker
{
    public static async Task<int> RunAsync(string[] args)
    {
        Console.WriteLine("CredentialBroker dev mode: starting a throwaway PostgreSQL...");
        await using var postgres = await LocalPostgres.LocalPostgres.StartAsync(new LocalPostgres.LocalPostgresOptions
        {
            Log = line => Console.WriteLine("  " + line),
        });

        Console.WriteLine("Starting the SIMULATED upstream provider (OpenAI and Anthropic wire formats, canned answers, dev mode only)...");
        await using var upstream = await Simulator.SimulatedProvider.StartAsync();

        var adminToken = "dev-admin-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var devConfig = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Broker"] = postgres.ConnectionString,
            ["Broker:BootstrapAdminToken"] = adminToken,
            ["Broker:MasterKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };

        return await BrokerApp.RunAsync(args, builder => builder.Configuration.AddInMemoryCollection(devConfig), async app =>
        {
            var grpcAddress = GrpcAddress(app);
            var seed = await DevSeed.RunAsync(grpcAddress, adminToken, upstream.BaseUrl);
            DevBanner.Print(grpcAddress, app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<BrokerOptions>>().Value.GatewayBaseUrl,
                adminToken, seed, postgres.Source, upstream.BaseUrl);
        });
    }

    private static string GrpcAddress(WebApplication app) =>
        app.Configuration["Kestrel:Endpoints:Grpc:Url"]
        ?? app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
}
