namespace OffGrid.Inference.Remote;

/// <summary>The API a remote backend speaks, which decides the client library and the health and model-list paths.</summary>
public enum RemoteBackendKind
{
    /// <summary>
    /// OpenAI's API (llama-server, vLLM, LocalAI, any OpenAI-compatible server), through Microsoft.Extensions.AI.OpenAI. The
    /// endpoint is the API's base address including its version, such as <c>http://gpu1:8080/v1</c>; health is
    /// <c>GET {endpoint}/models</c>.
    /// </summary>
    OpenAi,

    /// <summary>Ollama's API, through OllamaSharp. The endpoint is the server's root, such as <c>http://gpu2:11434</c>; health is <c>GET /api/version</c>.</summary>
    Ollama,

    /// <summary>
    /// Another OffGrid server: OpenAI's API under <c>/v1</c>, health at <c>/health</c> (ready once its preloaded models are) and
    /// its knowledge collections. The endpoint is the server's root, such as <c>http://node3:11611</c>.
    /// </summary>
    OffGrid,
}
