/// <summary>What <c>offgrid-server --help</c> prints: the main configuration switches and where the rest are documented.</summary>
internal static class ServerUsage
{
    /// <summary>Whether the command line asks for help (<c>--help</c>, <c>-h</c> or <c>-?</c> anywhere in it).</summary>
    public static bool IsRequested(string[] args) => args.Any(a => a is "--help" or "-h" or "-?");

    public const string Text = """
        Usage: offgrid-server [--Section:Setting value | --Section:Setting=value]...

        Serves local models over OpenAI's API (/v1), Ollama's (/api), MCP (/mcp) and a chat page (/).
        Settings come from appsettings.json, then OFFGRID_ environment variables (OFFGRID_Server__Port=8080),
        then these switches. A setting no OffGrid section has (a misspelling such as Server:Pool:Engnie) stops the start,
        naming the closest one.

        Listening and models:
          --Server:Host <address>               127.0.0.1 (default), localhost, or * for every interface (needs multi-user auth)
          --Server:Port <port>                  11611 (default)
          --Server:Models:<name> <path.gguf>    serve a file under a name, e.g. --Server:Models:stories=./stories260K.gguf
          --Server:ModelDirectories:0 <folder>  serve every .gguf in a folder by its file name (:1, :2 for more)
          --Server:Preload:0 <name>             load a model at start and keep it pinned (:1, :2 for more)
          --Server:AllowModelPaths true         let clients name a .gguf by its path
          --Server:Isolation Process            run llama.cpp in a worker process that is restarted if it crashes

        Pool and engine:
          --Server:Pool:MaxLoadedModels <n>     models kept loaded (2)
          --Server:Pool:KeepAlive <hh:mm:ss>    how long an idle model stays loaded (00:05:00)
          --Server:Pool:MemoryBudgetBytes <n>   unload idle models to fit new ones in this many bytes
          --Server:Pool:Engine:ContextSize <n>  tokens of context per sequence
          --Server:Pool:Engine:ParallelSequences <n>, :Threads <n>, :CacheTypeK q8_0, :CacheTypeV q8_0, :FlashAttention true|false
          --Server:Pool:Engine:Speculation:DraftModelPath <model>   a draft model by name (as requests name models) or .gguf path

        Backends (scale-out):
          --Server:Backends:<name>:Endpoint <url>   another engine (llama-server .../v1, Ollama, OffGrid)
          --Server:Backends:<name>:Kind openai|ollama|offgrid
          --Server:Backends:<name>:Models:<served> <backend's name>
          --Server:Balancing:Strategy LeastRequests|RoundRobin|Weighted|Latency|...

        Authentication:
          --Server:Auth:Mode SingleUser|MultiUser   no keys, loopback only (default) | API keys, roles, quotas, audit

        Every setting (knowledge bases, prompt cache, speculative decoding, CORS, rate limit, HTTPS, LDAP, agents) is in
        README.md, sections "Server" and "Deployment".
        """;
}
