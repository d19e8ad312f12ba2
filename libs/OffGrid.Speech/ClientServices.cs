namespace OffGrid.Speech;

/// <summary>The one <c>GetService</c> rule of OffGrid's speech clients, as MEAI's clients follow it.</summary>
internal static class ClientServices
{
    /// <summary>Returns the client's metadata when asked for its type, the client itself when asked for a type it is, else <see langword="null"/>; keyed requests get <see langword="null"/>.</summary>
    public static object? Get(object client, object metadata, Type serviceType, object? serviceKey)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == metadata.GetType() ? metadata
            : serviceType.IsInstanceOfType(client) ? client
            : null;
    }
}
