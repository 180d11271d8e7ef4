namespace CredentialBroker.Server.Policy;

/// <summary>How a purpose's credentials reach the caller.</summary>
public enum DeliveryMode
{
    /// <summary>A broker key (cbk_) used through the gateway: every call is checked, limited and metered.</summary>
    Gateway,

    /// <summary>A real provider key minted or assigned per credential: lifetime governance only.</summary>
    Direct,
}
