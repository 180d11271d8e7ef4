using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;
using Grpc.Core;

namespace CredentialBroker.Cli.Admin;

/// <summary><c>purposes show ID</c>: one purpose with its gateway policy spelled out.</summary>
public static class PurposesShowCommand
{
    public static Command Create(CliEnvironment env)
    {
        var id = new Argument<string>("purpose") { Description = "Purpose id or name" };
        var command = new Command("show", """
            Show one purpose and its gateway policy

            Examples:
              brokerctl purposes show 9a2f...
              brokerctl purposes show support-summaries -o json
            """) { id };
        CommandAction.Set(command, env, (ctx, parse, ct) =>
            RunAsync(new AdminService.AdminServiceClient(ctx.CreateInvoker()), parse.GetRequiredValue(id), ctx, ct));
        return command;
    }

    /// <summary>Finds the purpose by id or name in the listing (there is no single-purpose RPC) and prints it.</summary>
    public static async Task<int> RunAsync(AdminService.AdminServiceClient client, string idOrName, CliContext ctx, CancellationToken cancellationToken)
    {
        var purposes = await Paging.ReadAllAsync<Purpose>(async token =>
        {
            var page = await client.ListPurposesAsync(new ListPurposesRequest { PageSize = 500, PageToken = token }, cancellationToken: cancellationToken);
            return (page.Purposes, page.NextPageToken);
        });
        var purpose = purposes.FirstOrDefault(p => p.Id == idOrName) ?? purposes.FirstOrDefault(p => p.Name == idOrName)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"purpose {idOrName} not found"));
        PurposePrinter.WriteOne(ctx.Out, purpose, ctx.Format);
        return ExitCodes.Ok;
    }
}
