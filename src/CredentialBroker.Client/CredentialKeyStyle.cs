namespace CredentialBroker.Client;

/// <summary>How the key is attached to a gateway request.</summary>
public enum CredentialKeyStyle
{
    /// <summary>OpenAI style: <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    OpenAi,

    /// <summary>Anthropic style: <c>x-api-key: &lt;key&gt;</c>.</summary>
    Anthropic,
}
