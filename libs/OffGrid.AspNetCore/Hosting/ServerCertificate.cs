using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OffGrid.AspNetCore.Hosting;

/// <summary>Loads the HTTPS certificate named by <see cref="OffGridServerOptions.CertificatePath"/> (PKCS#12, or PEM with a key file).</summary>
internal static class ServerCertificate
{
    /// <summary>Loads the certificate with its private key.</summary>
    /// <exception cref="CryptographicException">The file is not a certificate, the password is wrong, or the key does not match.</exception>
    public static X509Certificate2 Load(OffGridServerOptions options)
    {
        string path = options.CertificatePath ?? throw new InvalidOperationException("No certificate is configured.");
        if (options.CertificateKeyPath is { } key)
        {
            return options.CertificatePassword is { } password
                ? X509Certificate2.CreateFromEncryptedPemFile(path, password, key)
                : X509Certificate2.CreateFromPemFile(path, key);
        }

        return X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword);
    }

    /// <summary>Lists what keeps the certificate settings from working, so that a bad file is a start-up error and not a failed handshake.</summary>
    public static IEnumerable<string> Check(OffGridServerOptions options)
    {
        if (options.CertificatePath is null)
        {
            yield return "Server:CertificateKeyPath is set but Server:CertificatePath is not.";
            yield break;
        }

        foreach (string? file in new[] { options.CertificatePath, options.CertificateKeyPath })
        {
            if (file is not null && !File.Exists(file))
            {
                yield return $"The certificate file '{file}' does not exist.";
                yield break;
            }
        }

        string? failure = null;
        try
        {
            using X509Certificate2 certificate = Load(options);
            if (!certificate.HasPrivateKey)
            {
                failure = $"The certificate '{options.CertificatePath}' has no private key: give a .pfx with its key, or Server:CertificateKeyPath.";
            }
        }
        catch (CryptographicException ex)
        {
            failure = $"The certificate '{options.CertificatePath}' cannot be loaded (wrong password, not a certificate, or a key that does not match): {ex.Message}";
        }

        if (failure is not null)
        {
            yield return failure;
        }
    }
}
