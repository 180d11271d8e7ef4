using CredentialBroker.Client.Identity;
using CredentialBroker.Client.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;

namespace CredentialBroker.Client.Tests.Identity;

public sealed class CallerIdentityTests : IDisposable
{
    private readonly string _jwtFile = Path.Combine(Path.GetTempPath(), $"cb-client-{Guid.NewGuid():N}.jwt");

    [Fact]
    public void GetToken_FileRotated_ReturnsNewToken()
    {
        File.WriteAllText(_jwtFile, "jwt-one\n");
        var source = new JwtFileTokenSource(_jwtFile);
        Assert.Equal("jwt-one", source.GetToken());

        Rotate("jwt-two-rotated");

        Assert.Equal("jwt-two-rotated", source.GetToken());
    }

    [Fact]
    public void GetToken_ProjectedVolumeSymlinkSwapped_ReturnsNewToken()
    {
        // The kubelet layout: token -> ..data/token, ..data -> ..<timestamp>/; rotation re-points ..data.
        var volume = Directory.CreateDirectory(_jwtFile + ".d").FullName;
        var old = Directory.CreateDirectory(Path.Combine(volume, "..2026_01")).FullName;
        var fresh = Directory.CreateDirectory(Path.Combine(volume, "..2026_02")).FullName;
        File.WriteAllText(Path.Combine(old, "token"), "jwt-aaaa");
        File.WriteAllText(Path.Combine(fresh, "token"), "jwt-bbbb");
        File.SetLastWriteTimeUtc(Path.Combine(fresh, "token"), File.GetLastWriteTimeUtc(Path.Combine(old, "token")));
        var data = Path.Combine(volume, "..data");
        File.CreateSymbolicLink(data, old);
        var token = Path.Combine(volume, "token");
        File.CreateSymbolicLink(token, Path.Combine("..data", "token"));
        var source = new JwtFileTokenSource(token);
        Assert.Equal("jwt-aaaa", source.GetToken());

        // The kubelet renames a new link over ..data; re-creating it is the same for the reader.
        File.Delete(data);
        File.CreateSymbolicLink(data, fresh);

        Assert.Equal("jwt-bbbb", source.GetToken());
    }

    [Fact]
    public async Task Refresh_AfterJwtFileRotation_SendsRotatedTokenAsBearer()
    {
        File.WriteAllText(_jwtFile, "jwt-one");
        var fake = new FakeBroker();
        using var host = ClientHost.Build(o =>
        {
            o.Address = "http://broker.test";
            o.Purpose = "p";
            o.Provider = "openai";
            o.JwtFile = _jwtFile;
        }, services: fake.Register);
        await host.StartAsync();

        Rotate("jwt-two");
        await host.Credentials().RefreshAsync();

        Assert.Equal(["Bearer jwt-one", "Bearer jwt-two"], fake.AuthorizationHeaders);
        await host.StopAsync();
    }

    public void Dispose()
    {
        File.Delete(_jwtFile);
        if (Directory.Exists(_jwtFile + ".d"))
        {
            Directory.Delete(_jwtFile + ".d", recursive: true);
        }
    }

    private void Rotate(string token)
    {
        // The kubelet swaps the file in atomically; the new one has a new write time.
        var staged = _jwtFile + ".new";
        File.WriteAllText(staged, token);
        File.SetLastWriteTimeUtc(staged, File.GetLastWriteTimeUtc(_jwtFile).AddSeconds(5));
        File.Move(staged, _jwtFile, overwrite: true);
    }
}
