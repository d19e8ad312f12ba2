using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OffGrid.AspNetCore.Backends;
using OffGrid.AspNetCore.Models;
using OffGrid.Hub.Gguf;
using OffGrid.Hub.References;

namespace OffGrid.AspNetCore.Ollama;

/// <summary>
/// Describes a served model the way <c>/api/tags</c>, <c>/api/ps</c> and <c>/api/show</c> do: a local model from its GGUF
/// header, a remote one with Ollama's fields for models served elsewhere (<c>remote_model</c>, <c>remote_host</c>) and
/// OffGrid's <c>backends</c>.
/// </summary>
internal static class OllamaModelDescription
{
    /// <summary>An entry of <c>/api/tags</c>.</summary>
    public static async Task<object> DescribeAsync(LocalModel model, RemoteBackends backends, CancellationToken cancellationToken)
    {
        if (model.IsRemote)
        {
            return DescribeRemote(model, backends.MembersOf(model.Name));
        }

        GgufFile gguf = await GgufFile.ReadAsync(model.Path, cancellationToken);
        var file = new FileInfo(model.Path);
        return new
        {
            name = model.Name,
            model = model.Name,
            modified_at = file.LastWriteTimeUtc,
            size = file.Length,
            digest = Digest(file),
            details = Details(gguf),
        };
    }

    /// <summary>The body of <c>/api/show</c>.</summary>
    public static async Task<object> ShowAsync(LocalModel model, RemoteBackends backends, CancellationToken cancellationToken)
    {
        if (model.IsRemote)
        {
            IReadOnlyList<PoolMember> members = backends.MembersOf(model.Name);
            return new
            {
                modelfile = string.Concat(members.Select(m => $"FROM {m.Backend.Backend.Endpoint} {m.RemoteModel}\n")),
                parameters = string.Empty,
                template = string.Empty,
                details = RemoteDetails,
                model_info = new Dictionary<string, object>(),
                capabilities = new[] { "completion" },
                remote_model = members.FirstOrDefault()?.RemoteModel,
                remote_host = members.FirstOrDefault()?.Backend.Backend.Endpoint.ToString(),
                backends = members.Select(m => m.Backend.Name).ToArray(),
            };
        }

        GgufFile gguf = await GgufFile.ReadAsync(model.Path, cancellationToken);
        var info = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["general.parameter_count"] = gguf.ParameterCount,
        };
        foreach ((string key, GgufValue value) in gguf.Metadata.Where(m => m.Value.Value is not Array))
        {
            info[key] = value.Value;
        }

        List<string> capabilities = ["completion", "embedding"];
        if (gguf.ChatTemplate?.Contains("tools", StringComparison.Ordinal) == true)
        {
            capabilities.Add("tools");
        }

        return new
        {
            modelfile = $"FROM {model.Path}\n",
            parameters = string.Empty,
            template = gguf.ChatTemplate ?? string.Empty,
            details = Details(gguf),
            model_info = info,
            capabilities,
            modified_at = File.GetLastWriteTimeUtc(model.Path),
        };
    }

    private static object RemoteDetails => new
    {
        parent_model = string.Empty,
        format = "remote",
        family = "unknown",
        families = new[] { "unknown" },
        parameter_size = "unknown",
        quantization_level = "unknown",
    };

    private static object DescribeRemote(LocalModel model, IReadOnlyList<PoolMember> members) => new
    {
        name = model.Name,
        model = model.Name,
        modified_at = DateTime.UnixEpoch,
        size = 0,
        digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("|", members.Select(m => $"{m.Backend.Backend.Endpoint}{m.RemoteModel}"))))),
        details = RemoteDetails,
        remote_model = members.FirstOrDefault()?.RemoteModel,
        remote_host = members.FirstOrDefault()?.Backend.Backend.Endpoint.ToString(),
        backends = members.Select(m => m.Backend.Name).ToArray(),
    };

    /// <summary>Ollama's <c>details</c> object.</summary>
    public static object Details(GgufFile gguf) => new
    {
        parent_model = string.Empty,
        format = "gguf",
        family = gguf.Architecture ?? "unknown",
        families = new[] { gguf.Architecture ?? "unknown" },
        parameter_size = ParameterSize(gguf.ParameterCount),
        quantization_level = gguf.QuantizationLabel ?? "unknown",
    };

    /// <summary>
    /// Ollama lists the sha256 of the model blob; hashing gigabytes per listing is too slow, so this digest identifies
    /// the file by path, size and modification time instead: it changes whenever the file does.
    /// </summary>
    public static string Digest(FileInfo file) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        string.Create(CultureInfo.InvariantCulture, $"{file.FullName}|{file.Length}|{file.LastWriteTimeUtc.Ticks}"))));

    private static string ParameterSize(long count) => count switch
    {
        >= 1_000_000_000 => (count / 1e9).ToString("0.#", CultureInfo.InvariantCulture) + "B",
        >= 1_000_000 => (count / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        >= 1_000 => (count / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + "K",
        _ => count.ToString(CultureInfo.InvariantCulture),
    };
}
