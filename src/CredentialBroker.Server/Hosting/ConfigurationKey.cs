namespace CredentialBroker.Server.Hosting;

/// <summary>One configuration key the broker reads (see <see cref="ConfigurationReference"/>).</summary>
/// <param name="Path">
/// Colon form, as in appsettings.json nesting or <c>--Broker:X=...</c>. A list index is written
/// <c>N</c>; a name the operator chooses is written in angle brackets (<c>&lt;Name&gt;</c>).
/// </param>
/// <param name="Section">The table the key belongs to in docs/CONFIGURATION.md.</param>
/// <param name="Type">The value's type (<c>string</c>, <c>int</c>, <c>TimeSpan</c>, ...).</param>
/// <param name="Default">The value used when the key is not set; null when there is none.</param>
/// <param name="Required">Whether the broker refuses to start without it.</param>
/// <param name="Description">What the key means.</param>
public sealed record ConfigurationKey(string Path, string Section, string Type, string? Default, bool Required, string Description)
{
    /// <summary>The environment-variable form: <c>Broker__Gateway__BudgetTimeZone</c>.</summary>
    public string EnvironmentVariable => Path.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>The default as docs/CONFIGURATION.md shows it: <c>`value`</c>, <c>required</c> or <c>unset</c>.</summary>
    public string DefaultText => Default is not null ? $"`{Default}`" : Required ? "required" : "unset";
}
