using System.Text.Json;
using CredentialBroker.Cli.Tests.Infrastructure;
using CredentialBroker.IntegrationTests.Infrastructure;

namespace CredentialBroker.Cli.Tests.Identity;

public sealed class IdentityCommandTests(BrokerFixture broker) : IClassFixture<BrokerFixture>, IDisposable
{
    private readonly string _configDirectory = Brokerctl.UnusedConfigDirectory();

    private string ConfigFile => Path.Combine(_configDirectory, "config.json");

    public void Dispose()
    {
        var root = Path.GetDirectoryName(_configDirectory)!;
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task WhoAmI_Owner_PrintsRoleActorAndOwnerInTable()
    {
        var world = await broker.SeedAsync();

        var result = await Brokerctl.RunAsync("whoami", "--addr", broker.GrpcAddress, "--token", world.OwnerToken);

        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("ROLE", lines[0]);
        Assert.Contains("ACTOR", lines[0]);
        Assert.StartsWith("owner", lines[1]);
        Assert.Contains(world.Owner.Id, lines[1]);
    }

    [Fact]
    public async Task WhoAmI_WorkloadJson_HasProtoFieldNames()
    {
        var world = await broker.SeedAsync();

        var result = await Brokerctl.RunAsync("whoami", "-o", "json", "--addr", broker.GrpcAddress, "--token", world.WorkloadToken);

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal("ROLE_WORKLOAD", json.RootElement.GetProperty("role").GetString());
        Assert.Equal(world.Workload.Id, json.RootElement.GetProperty("workload_id").GetString());
        Assert.Equal(world.Owner.Id, json.RootElement.GetProperty("owner_id").GetString());
        Assert.StartsWith("workload:", json.RootElement.GetProperty("actor").GetString());
    }

    [Fact]
    public async Task WhoAmI_BadToken_ExitsFour()
    {
        var result = await Brokerctl.RunAsync("whoami", "--addr", broker.GrpcAddress, "--token", "cbt_not-a-real-token");

        Assert.Equal(4, result.ExitCode);
        Assert.StartsWith("error: Unauthenticated: ", result.Stderr);
    }

    [Fact]
    public async Task Login_WritesPrivateConfig_ThenCommandsWorkWithoutToken()
    {
        var world = await broker.SeedAsync();
        var env = Brokerctl.Environment(configDirectory: _configDirectory);

        var login = await Brokerctl.RunAsync(env, "login", "--addr", broker.GrpcAddress, "--token", world.OwnerToken);

        Assert.Equal(0, login.ExitCode);
        Assert.DoesNotContain(world.OwnerToken, login.Stdout);
        Assert.True(File.Exists(ConfigFile));
        using (var json = JsonDocument.Parse(File.ReadAllText(ConfigFile)))
        {
            Assert.Equal(broker.GrpcAddress, json.RootElement.GetProperty("addr").GetString());
            Assert.Equal(world.OwnerToken, json.RootElement.GetProperty("token").GetString());
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ConfigFile));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_configDirectory));
        }

        Assert.Empty(Directory.GetFiles(_configDirectory, "*.tmp"));

        var whoami = await Brokerctl.RunAsync(env, "whoami");

        Assert.Equal(0, whoami.ExitCode);
        Assert.Contains(world.Owner.Id, whoami.Stdout);
    }

    [Fact]
    public async Task Login_TokenFromStdin_SavesIt()
    {
        var world = await broker.SeedAsync();
        var env = Brokerctl.Environment(configDirectory: _configDirectory, input: world.SecurityToken + "\n");

        var login = await Brokerctl.RunAsync(env, "login", "--addr", broker.GrpcAddress, "--token-stdin");

        Assert.Equal(0, login.ExitCode);
        Assert.Contains(world.SecurityToken, File.ReadAllText(ConfigFile));
    }

    [Fact]
    public async Task Login_TokenFromEnvironment_SavesIt()
    {
        var world = await broker.SeedAsync();
        var env = Brokerctl.Environment(configDirectory: _configDirectory, variables: new Dictionary<string, string> { ["BROKER_TOKEN"] = world.AdminToken });

        var login = await Brokerctl.RunAsync(env, "login", "--addr", broker.GrpcAddress);

        Assert.Equal(0, login.ExitCode);
        Assert.Contains(world.AdminToken, File.ReadAllText(ConfigFile));
    }

    [Fact]
    public async Task Login_BadToken_ExitsFourAndWritesNothing()
    {
        var env = Brokerctl.Environment(configDirectory: _configDirectory);

        var result = await Brokerctl.RunAsync(env, "login", "--addr", broker.GrpcAddress, "--token", "cbt_not-a-real-token");

        Assert.Equal(4, result.ExitCode);
        Assert.StartsWith("error: Unauthenticated: ", result.Stderr);
        Assert.False(File.Exists(ConfigFile));
    }

    [Fact]
    public async Task Login_Precedence_FlagAndEnvironmentBeatConfig()
    {
        var world = await broker.SeedAsync();
        var other = await broker.SeedAsync();
        Assert.Equal(0, (await Brokerctl.RunAsync(Brokerctl.Environment(configDirectory: _configDirectory), "login", "--addr", broker.GrpcAddress, "--token", world.OwnerToken)).ExitCode);

        var fromEnv = await Brokerctl.RunAsync(
            Brokerctl.Environment(configDirectory: _configDirectory, variables: new Dictionary<string, string> { ["BROKER_TOKEN"] = other.OwnerToken }), "whoami");
        var fromFlag = await Brokerctl.RunAsync(
            Brokerctl.Environment(configDirectory: _configDirectory, variables: new Dictionary<string, string> { ["BROKER_TOKEN"] = other.OwnerToken }),
            "whoami", "--token", world.WorkloadToken);
        var badAddressFromEnv = await Brokerctl.RunAsync(
            Brokerctl.Environment(configDirectory: _configDirectory, variables: new Dictionary<string, string> { ["BROKER_ADDR"] = "http://127.0.0.1:1" }), "whoami");

        Assert.Contains(other.Owner.Id, fromEnv.Stdout);
        Assert.StartsWith("workload", fromFlag.Stdout.Split('\n')[1]);
        Assert.Equal(2, badAddressFromEnv.ExitCode);
        Assert.Contains("saved login is for", badAddressFromEnv.Stderr);
    }

    [Fact]
    public async Task Logout_DeletesConfig_ThenTokenIsMissing()
    {
        var world = await broker.SeedAsync();
        var env = Brokerctl.Environment(configDirectory: _configDirectory);
        Assert.Equal(0, (await Brokerctl.RunAsync(env, "login", "--addr", broker.GrpcAddress, "--token", world.OwnerToken)).ExitCode);

        var logout = await Brokerctl.RunAsync(env, "logout");
        var after = await Brokerctl.RunAsync(env, "whoami");

        Assert.Equal(0, logout.ExitCode);
        Assert.False(File.Exists(ConfigFile));
        Assert.Equal(2, after.ExitCode);
        Assert.Contains("brokerctl login", after.Stderr);
    }

    [Fact]
    public async Task Login_XdgConfigHome_WritesUnderIt()
    {
        var world = await broker.SeedAsync();
        var xdg = Path.GetDirectoryName(_configDirectory)!;
        var env = Brokerctl.Environment(variables: new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = xdg }) with { ConfigDirectory = null };

        var login = await Brokerctl.RunAsync(env, "login", "--addr", broker.GrpcAddress, "--token", world.OwnerToken);

        Assert.Equal(0, login.ExitCode);
        Assert.True(File.Exists(Path.Combine(xdg, "brokerctl", "config.json")));
    }

    [Fact]
    public async Task SavedToken_IsNotSentToAnotherAddress()
    {
        var world = await broker.SeedAsync();
        var env = Brokerctl.Environment(configDirectory: _configDirectory);
        Assert.Equal(0, (await Brokerctl.RunAsync(env, "login", "--addr", broker.GrpcAddress, "--token", world.OwnerToken)).ExitCode);

        var elsewhere = await Brokerctl.RunAsync(env, "whoami", "--addr", "http://127.0.0.1:1");
        var sameWithSlash = await Brokerctl.RunAsync(env, "whoami", "--addr", broker.GrpcAddress + "/");

        Assert.Equal(2, elsewhere.ExitCode);
        Assert.Contains("saved login is for " + broker.GrpcAddress, elsewhere.Stderr);
        Assert.Equal(0, sameWithSlash.ExitCode);
    }

    [Fact]
    public async Task CorruptConfig_ExitsTwoNamingFile()
    {
        Directory.CreateDirectory(_configDirectory);
        File.WriteAllText(ConfigFile, "{ not json");

        var result = await Brokerctl.RunAsync(Brokerctl.Environment(configDirectory: _configDirectory), "whoami");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(ConfigFile, result.Stderr);
    }
}
