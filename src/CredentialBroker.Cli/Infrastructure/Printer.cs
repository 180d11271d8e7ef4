using Google.Protobuf;

namespace CredentialBroker.Cli.Infrastructure;

/// <summary>Prints messages as a table or JSON, by the context's output format.</summary>
public static class Printer
{
    /// <summary>Prints one message: a one-row table, or a JSON object.</summary>
    public static void One<T>(CliContext ctx, T item, string[] headers, Func<T, string?[]> row)
        where T : IMessage
    {
        if (ctx.Format == OutputFormat.Json)
        {
            ProtoJson.Write(ctx.Out, item);
            return;
        }

        new Table(headers).Add(row(item)).Write(ctx.Out);
    }

    /// <summary>Prints messages: a table, or a JSON array.</summary>
    public static void Many<T>(CliContext ctx, IReadOnlyList<T> items, string[] headers, Func<T, string?[]> row)
        where T : IMessage
    {
        if (ctx.Format == OutputFormat.Json)
        {
            ProtoJson.WriteArray(ctx.Out, items.Cast<IMessage>());
            return;
        }

        var table = new Table(headers);
        foreach (var item in items)
        {
            table.Add(row(item));
        }

        table.Write(ctx.Out);
    }
}
