using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Identity;

/// <summary><c>login</c> and <c>logout</c>: save or forget the broker address and token in the config file.</summary>
public static class LoginCommand
{
    public static Command Create(CliEnvironment env)
    {
        var tokenStdin = new Option<bool>("--token-stdin") { Description = "Read the token from the first line of standard input (keeps it out of shell history)" };
        var command = new Command("login", """
            Verify an access token with the broker and save it with the address to the config file
            ($XDG_CONFIG_HOME/brokerctl/config.json, default ~/.config/brokerctl/config.json, mode 0600).
            Later commands use the saved values unless --addr/--token or BROKER_ADDR/BROKER_TOKEN are given.

            Examples:
              brokerctl login --addr https://broker.internal:5443 --token-stdin < token.txt
              pass show broker/token | brokerctl login --addr http://127.0.0.1:5080 --token-stdin
              BROKER_TOKEN=cbt_... brokerctl login --addr http://127.0.0.1:5080
            """)
        {
            tokenStdin,
        };
        CommandAction.Set(command, env, async (ctx, parse, ct) =>
        {
            string? token;
            if (parse.GetValue(tokenStdin))
            {
                if (parse.GetValue(GlobalOptions.Token) is { Length: > 0 })
                {
                    throw new UsageException("pass either --token or --token-stdin, not both");
                }

                token = (await ctx.Environment.Input.ReadLineAsync(ct))?.Trim();
                if (string.IsNullOrEmpty(token))
                {
                    throw new UsageException("--token-stdin: no token on standard input");
                }
            }
            else
            {
                token = ctx.ExplicitToken ?? throw new UsageException("no access token: pass --token, --token-stdin or set BROKER_TOKEN");
            }

            var client = new IdentityService.IdentityServiceClient(ctx.CreateInvoker(token));
            var identity = await client.WhoAmIAsync(new WhoAmIRequest(), cancellationToken: ct);
            new CliConfig { Addr = ctx.Address, Token = token }.Save(ctx.Environment);
            ctx.Out.WriteLine($"Logged in to {ctx.Address} as {Display.Role(identity.Role)} {identity.Actor}; saved to {CliConfig.PathFor(ctx.Environment)}");
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command CreateLogout(CliEnvironment env)
    {
        var command = new Command("logout", """
            Delete the config file written by login

            Examples:
              brokerctl logout
            """);
        CommandAction.Set(command, env, (ctx, _, _) =>
        {
            var path = CliConfig.PathFor(ctx.Environment);
            ctx.Out.WriteLine(CliConfig.Delete(ctx.Environment) ? $"Logged out; removed {path}" : $"Not logged in ({path} does not exist)");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
