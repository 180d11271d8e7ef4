using Google.Protobuf;

namespace CredentialBroker.Cli.Infrastructure;

/// <summary>Prints protobuf messages as JSON with their proto field names.</summary>
public static class ProtoJson
{
    private static readonly JsonFormatter _formatter = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true).WithFormatDefaultValues(false));

    /// <summary>Writes one message.</summary>
    public static void Write(TextWriter writer, IMessage message) => writer.WriteLine(_formatter.Format(message));

    /// <summary>Writes messages as a JSON array.</summary>
    public static void WriteArray(TextWriter writer, IEnumerable<IMessage> messages)
    {
        writer.WriteLine("[" + string.Join(",\n", messages.Select(m => "  " + _formatter.Format(m))) + (messages.Any() ? "\n" : string.Empty) + "]");
    }
}
