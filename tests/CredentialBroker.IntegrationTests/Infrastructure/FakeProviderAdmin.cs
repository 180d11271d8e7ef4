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
/// The documented subsets of the providers' Admin APIs that direct delivery uses, in process:
/// OpenAI project service accounts (create, list with after/has_more, delete) behind a Bearer
/// admin key, and Anthropic API keys (list with after_id, update status) behind x-api-key and
/// anthropic-version. Pages hold at most 20 items, so listing must page. Failure injection: the
/// next N requests answer a status, deletions/disables fail, every request waits.
/// </summary>
public sealed class FakeProviderAdmin : IAsyncLifetime
{
    public const string OpenAiAdminKey = "sk-admin-fake-0123456789abcdef";
    public const string AnthropicAdminKey = "sk-ant-admin01-fake-0123456789";
    public const string ProjectId = "proj_fake123";
    private const int MaxPage = 20;

    private readonly ConcurrentQueue<int> _failures = new();
    private readonly List<(string Id, string Name)> _accounts = [];
    private readonly List<(string Id, string Name, string Status)> _anthropicKeys = [];
    private readonly Lock _lock = new();
    private WebApplication? _app;
    private int _next;

    public string BaseUrl { get; private set; } = string.Empty;

    public TimeSpan Delay { get; set; }

    /// <summary>Deletions (OpenAI) and status updates (Anthropic) answer 500 while set.</summary>
    public bool FailRemovals { get; set; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Service-account keys handed out, so tests can check none leaks.</summary>
    public ConcurrentBag<string> IssuedKeys { get; } = [];

    public void FailNext(int statusCode, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            _failures.Enqueue(statusCode);
        }
    }

    public IReadOnlyList<(string Id, string Name)> Accounts
    {
        get
        {
            lock (_lock)
            {
                return [.. _accounts];
            }
        }
    }

    public string? AnthropicKeyStatus(string id)
    {
        lock (_lock)
        {
            return _anthropicKeys.FirstOrDefault(k => k.Id == id).Status;
        }
    }

    /// <summary>A service account made outside the broker (someone used the console).</summary>
    public string AddForeignAccount(string name)
    {
        lock (_lock)
        {
            var id = $"svc_acct_foreign_{++_next}";
            _accounts.Add((id, name));
            return id;
        }
    }

    public void RemoveAccount(string id)
    {
        lock (_lock)
        {
            _accounts.RemoveAll(a => a.Id == id);
        }
    }

    public void AddAnthropicKey(string id, string name)
    {
        lock (_lock)
        {
            _anthropicKeys.Add((id, name, "active"));
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
        BaseUrl = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single().TrimEnd('/');
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
        var request = context.Request;
        var body = await new StreamReader(request.Body).ReadToEndAsync(context.RequestAborted);
        Requests.Enqueue(new RecordedRequest(request.Method, request.Path + request.QueryString, request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body));
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, context.RequestAborted);
        }

        if (_failures.TryDequeue(out var status))
        {
            await WriteAsync(context, status, Error("server_error", "injected failure"));
            return;
        }

        var path = request.Path.Value!;
        var openAiPrefix = $"/v1/organization/projects/{ProjectId}/service_accounts";
        if (path.StartsWith("/v1/organization/", StringComparison.Ordinal))
        {
            if (request.Headers.Authorization != "Bearer " + OpenAiAdminKey)
            {
                await WriteAsync(context, 401, Error("invalid_request_error", "Incorrect API key provided."));
            }
            else if (!path.StartsWith(openAiPrefix, StringComparison.Ordinal))
            {
                await WriteAsync(context, 404, Error("invalid_request_error", "No such project."));
            }
            else
            {
                await OpenAiAsync(context, path[openAiPrefix.Length..].TrimStart('/'), body);
            }

            return;
        }

        if (path.StartsWith("/v1/organizations/api_keys", StringComparison.Ordinal))
        {
            if (request.Headers["x-api-key"] != AnthropicAdminKey || request.Headers["anthropic-version"] != "2023-06-01")
            {
                await WriteAsync(context, 401, Error("authentication_error", "invalid x-api-key"));
                return;
            }

            await AnthropicAsync(context, path["/v1/organizations/api_keys".Length..].TrimStart('/'), body);
            return;
        }

        await WriteAsync(context, 404, Error("not_found_error", "Unknown path."));
    }

    private async Task OpenAiAsync(HttpContext context, string id, string body)
    {
        var method = context.Request.Method;
        if (id.Length == 0 && method == "POST")
        {
            var name = JsonNode.Parse(body)?["name"]?.GetValue<string>() ?? string.Empty;
            string account, keyId, key;
            lock (_lock)
            {
                var n = ++_next;
                (account, keyId, key) = ($"svc_acct_{n}", $"key_{n}", $"sk-svcacct-{Guid.NewGuid():N}{n}");
                _accounts.Add((account, name));
            }

            IssuedKeys.Add(key);
            await WriteAsync(context, 200, new JsonObject
            {
                ["object"] = "organization.project.service_account", ["id"] = account, ["name"] = name, ["role"] = "member", ["created_at"] = 1711471533,
                ["api_key"] = new JsonObject { ["object"] = "organization.project.service_account.api_key", ["value"] = key, ["name"] = "Secret Key", ["created_at"] = 1711471533, ["id"] = keyId },
            });
        }
        else if (id.Length == 0 && method == "GET")
        {
            await PageAsync(context, Accounts.Select(a => new JsonObject { ["object"] = "organization.project.service_account", ["id"] = a.Id, ["name"] = a.Name, ["role"] = "member" }).ToList(), "after");
        }
        else if (method == "DELETE")
        {
            if (FailRemovals)
            {
                await WriteAsync(context, 500, Error("server_error", "The server had an error while processing your request."));
                return;
            }

            bool removed;
            lock (_lock)
            {
                removed = _accounts.RemoveAll(a => a.Id == id) > 0;
            }

            await (removed
                ? WriteAsync(context, 200, new JsonObject { ["object"] = "organization.project.service_account.deleted", ["id"] = id, ["deleted"] = true })
                : WriteAsync(context, 404, Error("invalid_request_error", "No such service account.")));
        }
        else
        {
            await WriteAsync(context, 405, Error("invalid_request_error", "Method not allowed."));
        }
    }

    private async Task AnthropicAsync(HttpContext context, string id, string body)
    {
        if (id.Length == 0 && context.Request.Method == "GET")
        {
            List<(string Id, string Name, string Status)> keys;
            lock (_lock)
            {
                keys = [.. _anthropicKeys];
            }

            var status = context.Request.Query["status"].ToString();
            await PageAsync(context, keys.Where(k => status.Length == 0 || k.Status == status)
                .Select(k => new JsonObject { ["type"] = "api_key", ["id"] = k.Id, ["name"] = k.Name, ["status"] = k.Status }).ToList(), "after_id");
            return;
        }

        if (FailRemovals)
        {
            await WriteAsync(context, 500, Error("api_error", "Internal server error"));
            return;
        }

        var wanted = JsonNode.Parse(body)?["status"]?.GetValue<string>() ?? "active";
        int index;
        lock (_lock)
        {
            index = _anthropicKeys.FindIndex(k => k.Id == id);
            if (index >= 0)
            {
                _anthropicKeys[index] = (id, _anthropicKeys[index].Name, wanted);
            }
        }

        await (index >= 0
            ? WriteAsync(context, 200, new JsonObject { ["type"] = "api_key", ["id"] = id, ["status"] = wanted })
            : WriteAsync(context, 404, Error("not_found_error", "API key not found.")));
    }

    private static async Task PageAsync(HttpContext context, List<JsonObject> items, string afterParameter)
    {
        var limit = Math.Min(int.TryParse(context.Request.Query["limit"], out var l) && l > 0 ? l : 20, MaxPage);
        var after = context.Request.Query[afterParameter].ToString();
        var start = after.Length == 0 ? 0 : items.FindIndex(i => i["id"]!.GetValue<string>() == after) + 1;
        var page = items.Skip(start).Take(limit).ToList();
        await WriteAsync(context, 200, new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray([.. page]),
            ["first_id"] = page.FirstOrDefault()?["id"]?.GetValue<string>(),
            ["last_id"] = page.LastOrDefault()?["id"]?.GetValue<string>(),
            ["has_more"] = start + page.Count < items.Count,
        });
    }

    private static JsonObject Error(string type, string message) => new() { ["error"] = new JsonObject { ["type"] = type, ["message"] = message } };

    private static async Task WriteAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
