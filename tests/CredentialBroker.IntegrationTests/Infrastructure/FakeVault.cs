using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialBroker.IntegrationTests.Infrastructure;

/// <summary>
/// An in-process Vault speaking the subset of its HTTP API the broker uses: token, AppRole and
/// Kubernetes login, renew-self, KV v2 data (read with ?version, write) and metadata. Failure
/// injection: sealed, a status for the next requests, a delay, expired tokens, refused renewals,
/// paths the policy denies.
/// </summary>
public sealed class FakeVault : IAsyncLifetime
{
    public const string RootToken = "hvs.fake-root-token-0123456789";
    public const string RoleId = "fake-role-id";
    public const string SecretId = "fake-secret-id-9f8e7d6c5b4a";
    public const string KubernetesRole = "credentialbroker";
    public const string KubernetesJwt = "eyJhbGciOiJSUzI1NiJ9.fake-service-account-jwt.signature";

    private readonly ConcurrentDictionary<string, List<Dictionary<string, string>>> _secrets = new();
    private readonly ConcurrentDictionary<string, bool> _tokens = new() { [RootToken] = true };
    private readonly ConcurrentQueue<int> _failures = new();
    private WebApplication? _app;
    private int _issued;

    public string Address { get; private set; } = string.Empty;

    public bool Sealed { get; set; }

    public TimeSpan Delay { get; set; }

    /// <summary>Lease of tokens from logins (seconds).</summary>
    public int TokenTtlSeconds { get; set; } = 3600;

    /// <summary>renew-self answers 400 "lease is not renewable" (e.g. max TTL reached).</summary>
    public bool RefuseRenewals { get; set; }

    /// <summary>Paths (mount/path) the policy denies: 403.</summary>
    public ConcurrentDictionary<string, bool> DeniedPaths { get; } = new();

    public int Logins;
    public int Renewals;
    public int Reads;

    /// <summary>Every token issued so far, so tests can check none leaks.</summary>
    public IEnumerable<string> IssuedTokens => _tokens.Keys;

    public void FailNext(int statusCode, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            _failures.Enqueue(statusCode);
        }
    }

    /// <summary>Every issued token stops working (the root token too): the next request gets 403.</summary>
    public void ExpireAllTokens()
    {
        foreach (var token in _tokens.Keys)
        {
            _tokens[token] = false;
        }
    }

    /// <summary>Writes a new version directly (as an operator would); returns its number.</summary>
    public int Put(string mount, string path, Dictionary<string, string> data)
    {
        var versions = _secrets.GetOrAdd(mount + "/" + path, _ => []);
        lock (versions)
        {
            versions.Add(new Dictionary<string, string>(data));
            return versions.Count;
        }
    }

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1));
        builder.Services.AddRoutingCore();
        _app = builder.Build();
        _app.Run(HandleAsync);
        await _app.StartAsync();
        Address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single().TrimEnd('/');
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, context.RequestAborted);
        }

        if (Sealed)
        {
            await WriteAsync(context, 503, Errors("Vault is sealed"));
            return;
        }

        if (_failures.TryDequeue(out var status))
        {
            await WriteAsync(context, status, Errors("injected failure"));
            return;
        }

        var body = context.Request.ContentLength > 0 || context.Request.Method == "POST"
            ? JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted)) as JsonObject : null;
        var path = context.Request.Path.Value!;
        switch (path)
        {
            case "/v1/auth/approle/login":
                await LoginAsync(context, body?["role_id"]?.ToString() == RoleId && body?["secret_id"]?.ToString() == SecretId);
                return;
            case "/v1/auth/kubernetes/login":
                await LoginAsync(context, body?["role"]?.ToString() == KubernetesRole && body?["jwt"]?.ToString() == KubernetesJwt);
                return;
        }

        var token = context.Request.Headers["X-Vault-Token"].ToString();
        if (!_tokens.TryGetValue(token, out var valid) || !valid)
        {
            await WriteAsync(context, 403, Errors("permission denied"));
            return;
        }

        if (path == "/v1/auth/token/renew-self")
        {
            Interlocked.Increment(ref Renewals);
            await (RefuseRenewals
                ? WriteAsync(context, 400, Errors("lease is not renewable"))
                : WriteAsync(context, 200, Auth(token)));
            return;
        }

        await KvAsync(context, path, body);
    }

    private async Task KvAsync(HttpContext context, string path, JsonObject? body)
    {
        // /v1/{mount}/data/{path} or /v1/{mount}/metadata/{path}
        var parts = path.Split('/', 5);
        if (parts.Length < 5 || parts[1] != "v1" || (parts[3] != "data" && parts[3] != "metadata"))
        {
            await WriteAsync(context, 404, Errors());
            return;
        }

        var key = parts[2] + "/" + parts[4];
        if (DeniedPaths.ContainsKey(key))
        {
            await WriteAsync(context, 403, Errors("1 error occurred:\n\t* permission denied"));
            return;
        }

        if (parts[3] == "data" && context.Request.Method == "POST")
        {
            var data = (body?["data"] as JsonObject)?.ToDictionary(p => p.Key, p => p.Value?.ToString() ?? string.Empty) ?? [];
            await WriteAsync(context, 200, new JsonObject { ["data"] = new JsonObject { ["version"] = Put(parts[2], parts[4], data) } });
            return;
        }

        if (!_secrets.TryGetValue(key, out var versions))
        {
            await WriteAsync(context, 404, Errors());
            return;
        }

        List<Dictionary<string, string>> snapshot;
        lock (versions)
        {
            snapshot = [.. versions];
        }

        if (parts[3] == "metadata")
        {
            var all = new JsonObject();
            for (var i = 1; i <= snapshot.Count; i++)
            {
                all[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject { ["destroyed"] = false };
            }

            await WriteAsync(context, 200, new JsonObject { ["data"] = new JsonObject { ["current_version"] = snapshot.Count, ["oldest_version"] = 1, ["versions"] = all, ["updated_time"] = "2026-01-01T00:00:00Z" } });
            return;
        }

        Interlocked.Increment(ref Reads);
        var version = int.TryParse(context.Request.Query["version"], out var v) && v > 0 ? v : snapshot.Count;
        if (version > snapshot.Count)
        {
            await WriteAsync(context, 404, Errors());
            return;
        }

        var fields = new JsonObject();
        foreach (var (name, value) in snapshot[version - 1])
        {
            fields[name] = value;
        }

        await WriteAsync(context, 200, new JsonObject { ["data"] = new JsonObject { ["data"] = fields, ["metadata"] = new JsonObject { ["version"] = version } } });
    }

    private async Task LoginAsync(HttpContext context, bool accepted)
    {
        if (!accepted)
        {
            await WriteAsync(context, 400, Errors("invalid role or secret ID"));
            return;
        }

        Interlocked.Increment(ref Logins);
        var token = $"hvs.issued-{Interlocked.Increment(ref _issued)}-{Guid.NewGuid():N}";
        _tokens[token] = true;
        await WriteAsync(context, 200, Auth(token));
    }

    private JsonObject Auth(string token) => new() { ["auth"] = new JsonObject { ["client_token"] = token, ["lease_duration"] = TokenTtlSeconds, ["renewable"] = true } };

    private static JsonObject Errors(params string[] errors) => new() { ["errors"] = new JsonArray([.. errors.Select(e => (JsonNode)e)]) };

    private static async Task WriteAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
