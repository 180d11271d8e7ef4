using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CredentialBroker.Server.Hosting;
using Microsoft.Extensions.Options;

namespace CredentialBroker.Server.Providers.Vault;

/// <summary>
/// A small typed client over Vault's HTTP API (KV v2 and the login methods the broker needs). The
/// token is obtained and renewed on demand (<c>VaultClient.Auth.cs</c>); a request refused with 403
/// logs in again once, since the token may have expired or been revoked meanwhile.
/// </summary>
internal sealed partial class VaultClient(IHttpClientFactory httpFactory, IOptions<BrokerOptions> options, TimeProvider time, ILogger<VaultClient> logger) : IVaultClient
{
    public const string HttpClientName = "vault";

    private VaultOptions Options => options.Value.Vault;

    public async Task<VaultSecret> ReadAsync(string mount, string path, int? version, CancellationToken cancellationToken)
    {
        var what = $"read of '{path}' on mount '{mount}'" + (version is { } v ? $" (version {v})" : string.Empty);
        var json = await SendAsync(HttpMethod.Get, $"v1/{mount}/data/{path}" + (version is { } n ? $"?version={n}" : string.Empty), null, what, cancellationToken);
        if (json?["data"]?["data"] is not JsonObject data || json["data"]?["metadata"]?["version"]?.GetValue<int>() is not { } read)
        {
            throw new VaultException(VaultErrorKind.Invalid, $"Vault's answer to the {what} has no data.data or data.metadata.version; is '{mount}' a KV version 2 mount?");
        }

        var fields = data.Where(p => p.Value is not null)
            .ToDictionary(p => p.Key, p => p.Value!.GetValueKind() == JsonValueKind.String ? p.Value.GetValue<string>() : p.Value.ToJsonString());
        return new VaultSecret(fields, read);
    }

    public async Task<int> WriteAsync(string mount, string path, IReadOnlyDictionary<string, string> data, CancellationToken cancellationToken)
    {
        var what = $"write of '{path}' on mount '{mount}'";
        var json = await SendAsync(HttpMethod.Post, $"v1/{mount}/data/{path}", new JsonObject { ["data"] = JsonSerializer.SerializeToNode(data) }, what, cancellationToken);
        return json?["data"]?["version"]?.GetValue<int>()
            ?? throw new VaultException(VaultErrorKind.Invalid, $"Vault's answer to the {what} has no data.version.");
    }

    public async Task<VaultMetadata> ReadMetadataAsync(string mount, string path, CancellationToken cancellationToken)
    {
        var what = $"metadata read of '{path}' on mount '{mount}'";
        var json = await SendAsync(HttpMethod.Get, $"v1/{mount}/metadata/{path}", null, what, cancellationToken);
        var data = json?["data"] ?? throw new VaultException(VaultErrorKind.Invalid, $"Vault's answer to the {what} has no data.");
        var versions = (data["versions"] as JsonObject)?.Select(p => int.Parse(p.Key, System.Globalization.CultureInfo.InvariantCulture)).Order().ToList() ?? [];
        DateTimeOffset? updated = data["updated_time"]?.GetValue<string>() is { } text && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var t) ? t : null;
        return new VaultMetadata(data["current_version"]?.GetValue<int>() ?? 0, data["oldest_version"]?.GetValue<int>() ?? 0, versions, updated);
    }

    /// <summary>An authenticated request; on 403 the token is replaced once (expired or revoked tokens answer 403).</summary>
    private async Task<JsonNode?> SendAsync(HttpMethod method, string relative, JsonObject? body, string what, CancellationToken cancellationToken)
    {
        var token = await TokenAsync(cancellationToken);
        var (status, json) = await RawAsync(method, relative, body, token.Value, what, cancellationToken);
        if (status == HttpStatusCode.Forbidden)
        {
            LogTokenRefused(logger, what);
            token = await TokenAsync(cancellationToken, refused: token);
            (status, json) = await RawAsync(method, relative, body, token.Value, what, cancellationToken);
        }

        return status is HttpStatusCode.OK or HttpStatusCode.NoContent ? json : throw Failure(status, json, what);
    }

    private async Task<(HttpStatusCode Status, JsonNode? Json)> RawAsync(HttpMethod method, string relative, JsonObject? body, string? token, string what, CancellationToken cancellationToken)
    {
        if (!Options.IsConfigured)
        {
            throw new VaultException(VaultErrorKind.NotConfigured, $"The {what} needs Vault, but Broker:Vault:Address is not set.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.RequestTimeout);
        using var request = new HttpRequestMessage(method, new Uri(new Uri(Options.Address!.TrimEnd('/') + "/"), relative));
        if (token is not null)
        {
            request.Headers.Add("X-Vault-Token", token);
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
            catch (JsonException)
            {
            }

            return (response.StatusCode, json);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new VaultException(VaultErrorKind.Timeout, $"Vault did not answer the {what} within {Options.RequestTimeout} (Broker:Vault:RequestTimeout).", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new VaultException(VaultErrorKind.Unavailable, $"Vault at {Options.Address} could not be reached for the {what}: {ex.Message}", ex);
        }
    }

    private static VaultException Failure(HttpStatusCode status, JsonNode? json, string what)
    {
        var errors = (json?["errors"] as JsonArray)?.Select(e => e?.ToString() ?? string.Empty).ToList() ?? [];
        return status switch
        {
            HttpStatusCode.ServiceUnavailable when errors.Any(e => e.Contains("sealed", StringComparison.OrdinalIgnoreCase)) =>
                new VaultException(VaultErrorKind.Sealed, $"Vault is sealed: the {what} cannot be done until an operator unseals it."),
            HttpStatusCode.Forbidden =>
                new VaultException(VaultErrorKind.PermissionDenied, $"Vault refused the {what} (403 permission denied): the broker's Vault policy must grant it, and its login must succeed."),
            HttpStatusCode.NotFound =>
                new VaultException(VaultErrorKind.NotFound, $"Vault has nothing for the {what} (404): the path, mount or version does not exist (or the version was deleted)."),
            _ => new VaultException(VaultErrorKind.Unavailable, $"Vault failed the {what} with HTTP {(int)status}."),
        };
    }
}
