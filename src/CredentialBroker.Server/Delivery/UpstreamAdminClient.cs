using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CredentialBroker.Server.Hosting;
using Microsoft.Extensions.Options;

namespace CredentialBroker.Server.Delivery;

/// <summary>
/// The provider Admin API calls direct delivery makes — and only these:
/// OpenAI <c>POST/GET /v1/organization/projects/{project_id}/service_accounts</c> and
/// <c>DELETE .../service_accounts/{id}</c> (Bearer admin key); Anthropic
/// <c>POST /v1/organizations/api_keys/{id}</c> (status inactive) and <c>GET /v1/organizations/api_keys</c>
/// (<c>x-api-key</c> admin key, <c>anthropic-version: 2023-06-01</c>).
/// </summary>
internal sealed class UpstreamAdminClient(IHttpClientFactory httpFactory, IOptions<BrokerOptions> options)
{
    public const string HttpClientName = "provider-admin";
    private const int PageSize = 100;

    /// <summary>Creates a project service account named <paramref name="name"/>; its key is returned once.</summary>
    public async Task<MintedKey> CreateServiceAccountAsync(AdminTarget target, string name, CancellationToken cancellationToken)
    {
        var (status, json) = await SendAsync(target, HttpMethod.Post, ProjectPath(target), new JsonObject { ["name"] = name }, "create a service account", cancellationToken);
        Ensure(status, json, target, "create a service account");
        var id = Text(json?["id"]);
        var key = Text(json?["api_key"]?["value"]);
        return id is { Length: > 0 } && key is { Length: > 0 }
            ? new MintedKey(id, Text(json?["api_key"]?["id"]), key)
            : throw new UpstreamAdminException($"The OpenAI Admin API of provider '{target.ProviderName}' created a service account but its answer has no id or api_key.value.", (int)status);
    }

    /// <summary>Deletes a project service account (and with it its key). Already gone (404) counts as deleted.</summary>
    public async Task DeleteServiceAccountAsync(AdminTarget target, string accountId, CancellationToken cancellationToken)
    {
        var (status, json) = await SendAsync(target, HttpMethod.Delete, $"{ProjectPath(target)}/{Uri.EscapeDataString(accountId)}", null, $"delete service account {accountId}", cancellationToken);
        if (status != HttpStatusCode.NotFound)
        {
            Ensure(status, json, target, $"delete service account {accountId}");
        }
    }

    /// <summary>Sets an Anthropic API key inactive. Unknown (404) counts as done.</summary>
    public async Task DisableApiKeyAsync(AdminTarget target, string keyId, CancellationToken cancellationToken)
    {
        var (status, json) = await SendAsync(target, HttpMethod.Post, $"v1/organizations/api_keys/{Uri.EscapeDataString(keyId)}", new JsonObject { ["status"] = "inactive" }, $"disable API key {keyId}", cancellationToken);
        if (status != HttpStatusCode.NotFound)
        {
            Ensure(status, json, target, $"disable API key {keyId}");
        }
    }

    /// <summary>Every service account of the project (OpenAI) or every active API key (Anthropic), page by page.</summary>
    public async Task<List<UpstreamAccount>> ListAsync(AdminTarget target, CancellationToken cancellationToken)
    {
        var openAi = target.Kind != "anthropic";
        var all = new List<UpstreamAccount>();
        string? after = null;
        for (var page = 0; page < 1000; page++)
        {
            var path = openAi
                ? $"{ProjectPath(target)}?limit={PageSize}" + (after is null ? string.Empty : "&after=" + Uri.EscapeDataString(after))
                : $"v1/organizations/api_keys?limit={PageSize}&status=active" + (after is null ? string.Empty : "&after_id=" + Uri.EscapeDataString(after));
            var (status, json) = await SendAsync(target, HttpMethod.Get, path, null, "list accounts", cancellationToken);
            Ensure(status, json, target, "list accounts");
            foreach (var item in json?["data"] as JsonArray ?? [])
            {
                if (Text(item?["id"]) is { } id && (openAi || Text(item?["status"]) is null or "active"))
                {
                    all.Add(new UpstreamAccount(id, Text(item?["name"]) ?? string.Empty));
                }
            }

            after = Text(json?["last_id"]);
            if (json?["has_more"] is not JsonValue more || !more.TryGetValue<bool>(out var hasMore) || !hasMore || after is null)
            {
                break;
            }
        }

        return all;
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string ProjectPath(AdminTarget target) => $"v1/organization/projects/{Uri.EscapeDataString(target.ProjectId ?? string.Empty)}/service_accounts";

    private async Task<(HttpStatusCode Status, JsonNode? Json)> SendAsync(AdminTarget target, HttpMethod method, string relative, JsonObject? body, string what, CancellationToken cancellationToken)
    {
        var timeoutAfter = options.Value.Delivery.AdminApiTimeout;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(timeoutAfter);
        using var request = new HttpRequestMessage(method, new Uri(new Uri(target.BaseUrl.TrimEnd('/') + "/"), relative));
        if (target.Kind == "anthropic")
        {
            request.Headers.Add("x-api-key", target.AdminKey);
            request.Headers.Add("anthropic-version", "2023-06-01");
        }
        else
        {
            request.Headers.Authorization = new("Bearer", target.AdminKey);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        try
        {
            using var response = await httpFactory.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            JsonNode? json = null;
            try
            {
                json = text.Length > 0 ? JsonNode.Parse(text) : null;
            }
            catch (System.Text.Json.JsonException)
            {
            }

            return (response.StatusCode, json);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamAdminException($"The Admin API of provider '{target.ProviderName}' did not answer within {timeoutAfter} (Broker:Delivery:AdminApiTimeout) when asked to {what}.", null, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new UpstreamAdminException($"The Admin API of provider '{target.ProviderName}' could not be reached to {what}: {ex.Message}", null, ex);
        }
    }

    private static void Ensure(HttpStatusCode status, JsonNode? json, AdminTarget target, string what)
    {
        if ((int)status is >= 200 and < 300)
        {
            return;
        }

        var hint = status switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => " Check the provider's admin key and its permissions (UpdateProvider admin_key).",
            HttpStatusCode.NotFound => " Check the provider's project_id.",
            _ => string.Empty,
        };
        // The provider's own error type is safe to show; its message could quote the request.
        var type = Text(json?["error"]?["type"]) ?? Text(json?["error"]?["code"]);
        throw new UpstreamAdminException(
            $"The Admin API of provider '{target.ProviderName}' refused to {what}: HTTP {(int)status}{(type is null ? string.Empty : $" ({type})")}.{hint}", (int)status);
    }
}
