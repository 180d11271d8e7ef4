using System.Net;
using CredentialBroker.IntegrationTests.Infrastructure;
using Grpc.Health.V1;
using Npgsql;

namespace CredentialBroker.IntegrationTests.Hosting;

/// <summary>A broker that checks its readiness five times a second.</summary>
public sealed class HealthBrokerFixture : BrokerFixture
{
    protected override IDictionary<string, string?> Configuration => new Dictionary<string, string?> { ["Broker:HealthCheckInterval"] = "00:00:00.200" };
}

public sealed class HealthTests(HealthBrokerFixture broker) : IClassFixture<HealthBrokerFixture>
{
    [Fact]
    public async Task Readiness_FlipsWhenPostgresIsUnreachable_AndComesBack_LivenessStays()
    {
        using var http = new HttpClient();
        var health = new Health.HealthClient(broker.Channel);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(broker.GatewayAddress + "/readyz")).StatusCode);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);

        var database = new NpgsqlConnectionStringBuilder(broker.ConnectionString).Database!;
        await AdminAsync($"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}' AND pid <> pg_backend_pid()");
        try
        {
            await WaitForAsync(http, HttpStatusCode.ServiceUnavailable);
            var body = await (await http.GetAsync(broker.GatewayAddress + "/readyz")).Content.ReadAsStringAsync();
            Assert.Contains("PostgreSQL is not reachable", body, StringComparison.Ordinal);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest())).Status);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing,
                (await health.CheckAsync(new HealthCheckRequest { Service = V1.CredentialService.Descriptor.FullName })).Status);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(broker.GatewayAddress + "/healthz")).StatusCode);
        }
        finally
        {
            await AdminAsync($"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true");
        }

        await WaitForAsync(http, HttpStatusCode.OK);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);

        // Quartz takes the container's TimeProvider, here the fixture's fake clock: its database retry
        // waits (15 s) end only when that clock moves. Without this the scheduler stays parked in a
        // retry after the outage and the fixture's shutdown waits for it forever.
        for (var i = 0; i < 5; i++)
        {
            broker.Time.Advance(TimeSpan.FromSeconds(20));
            await Task.Delay(200);
        }
    }

    private async Task WaitForAsync(HttpClient http, HttpStatusCode status)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await http.GetAsync(broker.GatewayAddress + "/readyz")).StatusCode != status)
        {
            Assert.True(DateTime.UtcNow < deadline, $"/readyz did not become {(int)status} within 20 s");
            await Task.Delay(100);
        }
    }

    private async Task AdminAsync(string sql)
    {
        var admin = new NpgsqlConnectionStringBuilder(broker.ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
