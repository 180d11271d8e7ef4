using System.Text;

namespace CredentialBroker.Server.Grpc;

/// <summary>Opaque keyset-paging cursors: the sort key of the last row of a page.</summary>
internal static class PageToken
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public static int Size(RequestValidator validator, int requested)
    {
        if (requested < 0 || requested > MaxPageSize)
        {
            validator.Add("page_size", $"must be between 1 and {MaxPageSize} (0 means {DefaultPageSize})");
            return DefaultPageSize;
        }

        return requested == 0 ? DefaultPageSize : requested;
    }

    public static string Encode(params string[] parts) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join('\n', parts))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Decodes a token made by <see cref="Encode"/> with the expected number of parts, or records a violation.</summary>
    public static string[]? Decode(RequestValidator validator, string? token, int parts)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(base64)).Split('\n');
            if (decoded.Length == parts)
            {
                return decoded;
            }
        }
        catch (FormatException)
        {
        }

        validator.Add("page_token", "is not a token returned by this list call; pass next_page_token from the previous page unchanged");
        return null;
    }
}
