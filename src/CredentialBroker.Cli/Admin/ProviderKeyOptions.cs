using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;

namespace CredentialBroker.Cli.Admin;

/// <summary>
/// The provider flags for Vault references and direct delivery, shared by <c>providers register</c>
/// and <c>providers update</c>. Keys come from environment variables, never from argv.
/// </summary>
public sealed class ProviderKeyOptions
{
    private readonly Option<string?> _rootKeyRef = new("--root-key-ref") { Description = "Vault reference of the root key instead of --root-key-env: vault:<mount>/<path>#<field>[@<version>]" };
    private readonly Option<string?> _adminKeyEnv = new("--admin-key-env") { Description = "Name of an environment variable holding the Admin API key for direct delivery" };
    private readonly Option<string?> _adminKeyRef = new("--admin-key-ref") { Description = "Vault reference of the Admin API key instead of --admin-key-env" };
    private readonly Option<string?> _projectId = new("--project-id") { Description = "OpenAI project in which direct credentials get their service accounts" };

    public void AddTo(Command command)
    {
        command.Options.Add(_rootKeyRef);
        command.Options.Add(_adminKeyEnv);
        command.Options.Add(_adminKeyRef);
        command.Options.Add(_projectId);
    }

    public void Apply(CliEnvironment env, ParseResult parse, RegisterProviderRequest request)
    {
        request.RootKeyRef = parse.GetValue(_rootKeyRef) ?? string.Empty;
        request.AdminKey = parse.GetValue(_adminKeyEnv) is { } variable ? ReadAdminKey(env, variable) : string.Empty;
        request.AdminKeyRef = parse.GetValue(_adminKeyRef) ?? string.Empty;
        request.ProjectId = parse.GetValue(_projectId) ?? string.Empty;
    }

    public void Apply(CliEnvironment env, ParseResult parse, UpdateProviderRequest request)
    {
        void Set(string? value, Action<string> assign, string path)
        {
            if (value is not null)
            {
                assign(value);
                request.UpdateMask ??= new FieldMask();
                request.UpdateMask.Paths.Add(path);
            }
        }

        Set(parse.GetValue(_rootKeyRef), v => request.RootKeyRef = v, "root_key_ref");
        Set(parse.GetValue(_adminKeyEnv) is { } variable ? ReadAdminKey(env, variable) : null, v => request.AdminKey = v, "admin_key");
        Set(parse.GetValue(_adminKeyRef), v => request.AdminKeyRef = v, "admin_key_ref");
        Set(parse.GetValue(_projectId), v => request.ProjectId = v, "project_id");
    }

    private static string ReadAdminKey(CliEnvironment env, string variable) =>
        env.GetVariable(variable) is { Length: > 0 } key
            ? key
            : throw new UsageException($"--admin-key-env: environment variable {variable} is not set");
}
