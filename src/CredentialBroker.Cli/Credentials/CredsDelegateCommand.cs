using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Credentials;

/// <summary><c>creds delegate PARENT</c>: derives a child credential for a sub-agent or tool; prints its key once.</summary>
public static class CredsDelegateCommand
{
    public static Command Create(CliEnvironment env)
    {
        var parent = new Argument<string>("parent-id") { Description = "Id of the (active) parent credential" };
        var workload = new Option<string?>("--workload-identity") { Description = "Registered workload of the same owner that holds the child (default: the parent's workload)" };
        var models = new Option<string[]>("--model") { Description = "Model (or prefix*) within the parent's (repeatable; default: the parent's)" };
        var endpoints = new Option<string[]>("--endpoint") { Description = "Endpoint within the parent's, e.g. chat.completions (repeatable; default: the parent's)" };
        var ttl = new Option<TimeSpan?>("--ttl") { Description = "Lifetime, at most the parent's remaining lifetime (e.g. 15m)", CustomParser = DurationParser.ParseArgument };
        var lifetimeUsd = new Option<long?>("--lifetime-usd") { Description = "The child's budget over its life in USD, carved out of the parent's", CustomParser = Usd.ParseArgument };
        var dailyUsd = new Option<long?>("--daily-usd") { Description = "The child's budget per day in USD", CustomParser = Usd.ParseArgument };
        var lifetimeTokens = new Option<long?>("--lifetime-tokens") { Description = "The child's token budget over its life" };
        var labels = new Option<string[]>("--label") { Description = "Label k=v (repeatable)" };
        var description = new Option<string?>("--description") { Description = "What the sub-agent or tool is" };
        var command = new Command("delegate", """
            Delegate a child credential (its own key) from one you hold: narrower scopes, a carved-out budget, within the parent's lifetime

            Examples:
              brokerctl creds delegate 7f1c2a9e-... --model gpt-4o-mini --ttl 15m --lifetime-usd 0.50 --description "summariser sub-agent"
              brokerctl creds delegate 7f1c2a9e-... --workload-identity spiffe://corp/agents/tool-runner -o json
            """)
        {
            parent, workload, models, endpoints, ttl, lifetimeUsd, dailyUsd, lifetimeTokens, labels, description,
        };
        CommandAction.Set(command, env, (ctx, parse, ct) =>
        {
            var request = new DelegateCredentialRequest
            {
                ParentId = parse.GetRequiredValue(parent),
                WorkloadIdentity = parse.GetValue(workload) ?? string.Empty,
                Models = { parse.GetValue(models) ?? [] },
                Endpoints = { parse.GetValue(endpoints) ?? [] },
                Description = parse.GetValue(description) ?? string.Empty,
            };
            if (parse.GetValue(ttl) is { } t)
            {
                request.Ttl = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(t);
            }

            var lifetime = new Budget { Window = BudgetWindow.Lifetime, MaxMicroUsd = parse.GetValue(lifetimeUsd) ?? 0, MaxTokens = parse.GetValue(lifetimeTokens) ?? 0 };
            if (lifetime.MaxMicroUsd > 0 || lifetime.MaxTokens > 0)
            {
                request.Budgets.Add(lifetime);
            }

            if (parse.GetValue(dailyUsd) is { } daily)
            {
                request.Budgets.Add(new Budget { Window = BudgetWindow.Day, MaxMicroUsd = daily });
            }

            foreach (var label in parse.GetValue(labels) ?? [])
            {
                var eq = label.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw new UsageException($"invalid --label '{label}' (expected key=value)");
                }

                request.Labels[label[..eq]] = label[(eq + 1)..];
            }

            return RunAsync(new CredentialService.CredentialServiceClient(ctx.CreateInvoker()), request, ctx.Out, ctx.Format, ctx.Environment.Time, ct);
        });
        return command;
    }

    public static async Task<int> RunAsync(
        CredentialService.CredentialServiceClient client, DelegateCredentialRequest request, TextWriter stdout, OutputFormat format, TimeProvider time, CancellationToken cancellationToken)
    {
        var response = await client.DelegateCredentialAsync(request, cancellationToken: cancellationToken);
        if (format == OutputFormat.Json)
        {
            ProtoJson.Write(stdout, response);
            return ExitCodes.Ok;
        }

        var c = response.Credential;
        stdout.WriteLine($"Delegated {c.Prefix} ({c.Id}) from {request.ParentId}, depth {c.Depth}, expires {Display.When(c.ExpiresAt, time)}");
        stdout.WriteLine($"key (shown once): {response.Secret}");
        stdout.WriteLine($"gateway: {response.GatewayBaseUrl}");
        return ExitCodes.Ok;
    }
}
