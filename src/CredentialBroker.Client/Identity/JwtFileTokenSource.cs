namespace CredentialBroker.Client.Identity;

/// <summary>
/// A JWT read from a file, afresh for every broker call: Kubernetes projected tokens are rotated in place by an
/// atomic swap of the <c>..data</c> directory symlink, which neither the token path nor its write time reliably
/// reveals. The file is small and broker calls are rare (start-up, renewals), so re-reading is the cheap, sure way.
/// </summary>
internal sealed class JwtFileTokenSource(string path) : ICallerTokenSource
{
    public string GetToken()
    {
        string token;
        try
        {
            token = File.ReadAllText(path).Trim();
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"The JWT file '{path}' does not exist.", path, e);
        }

        return token.Length > 0 ? token : throw new IOException($"The JWT file '{path}' is empty.");
    }
}
