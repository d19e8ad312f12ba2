using OffGrid.Agents;
using OffGrid.Agents.Catalog;
using OffGrid.Agents.Mcp;
using OffGrid.Agents.Runs;
using OffGrid.Agents.Templates;
using OffGrid.Distribution.Peers;
using OffGrid.Governance;
using OffGrid.Governance.ApiKeys;
using OffGrid.Governance.Identity;
using OffGrid.Governance.Quotas;
using OffGrid.Governance.Users;
using OffGrid.Hub;
using OffGrid.Hub.Downloads;
using OffGrid.Hub.References;
using OffGrid.Hub.Store;
using OffGrid.Inference;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Inference.Quantization;
using OffGrid.Inference.Remote;
using OffGrid.Rag.Collections;
using OffGrid.Rag.Ingestion;
using OffGrid.Speech;
using OffGrid.Speech.Transcription;

namespace OffGrid.AspNetCore.Http;

/// <summary>What went wrong with a request, independent of how each API shapes its error body.</summary>
/// <param name="StatusCode">The HTTP status.</param>
/// <param name="Message">A message for the client.</param>
/// <param name="Param">The request field at fault, when one is.</param>
/// <param name="Code">A machine-readable reason, when one applies.</param>
/// <param name="RetryAfter">When the client may retry (429).</param>
internal sealed record ApiError(int StatusCode, string Message, string? Param = null, string? Code = null, TimeSpan? RetryAfter = null)
{
    /// <summary>Whether the error is a failure of another server (502, 503, 504) rather than of this one.</summary>
    public bool IsUpstream => StatusCode is StatusCodes.Status502BadGateway or StatusCodes.Status503ServiceUnavailable or StatusCodes.Status504GatewayTimeout;

    /// <summary>OpenAI's error <c>type</c> for the status.</summary>
    public string Type => StatusCode switch
    {
        StatusCodes.Status401Unauthorized => "authentication_error",
        StatusCodes.Status403Forbidden => "permission_error",
        StatusCodes.Status429TooManyRequests => "rate_limit_error",
        StatusCodes.Status404NotFound => "invalid_request_error",
        >= 500 => "server_error",
        _ => "invalid_request_error",
    };

    /// <summary>
    /// Maps an exception from the libraries or the host to the error the client sees. Only OffGrid's own exception types
    /// (and ASP.NET Core's for malformed HTTP) are client errors or gateway errors (502 the hub refused, 503 it cannot be
    /// reached, 504 it did not answer in time); a general .NET exception is a 500.
    /// </summary>
    public static ApiError From(Exception exception) => exception switch
    {
        ApiException api => new(api.StatusCode, api.Message, api.Param, api.Code),
        ContextWindowExceededException context => new(StatusCodes.Status400BadRequest, context.Message, "messages", "context_length_exceeded"),
        EngineOverloadedException overloaded => new(StatusCodes.Status429TooManyRequests, overloaded.Message, null, "server_overloaded", overloaded.RetryAfter),
        BadHttpRequestException bad => new(bad.StatusCode, bad.Message),
        ModelNotFoundException notFound => new(StatusCodes.Status404NotFound, notFound.Message, "model", "model_not_found"),
        InvalidModelReferenceException reference => new(StatusCodes.Status400BadRequest, reference.Message, "model"),
        InvalidModelNameException name => new(StatusCodes.Status422UnprocessableEntity, name.Message, "model", "invalid_model_name"),
        InvalidRequestException invalid => new(StatusCodes.Status400BadRequest, invalid.Message, invalid.ParamName),
        HubHttpException { StatusCode: System.Net.HttpStatusCode.NotFound } missing => new(StatusCodes.Status404NotFound, $"The model hub has no such model: {missing.Message}", "model", "model_not_found"),
        HubHttpException hub => new(StatusCodes.Status502BadGateway, $"The model hub refused the request: {hub.Message}", null, "hub_error", hub.RetryAfter),
        HostUnreachableException { IsTimeout: true } timeout => new(StatusCodes.Status504GatewayTimeout, timeout.Message, null, "upstream_timeout"),
        HostUnreachableException unreachable => new(StatusCodes.Status503ServiceUnavailable, unreachable.Message, null, "upstream_unreachable"),
        DownloadIntegrityException integrity => new(StatusCodes.Status502BadGateway, integrity.Message, null, "download_corrupt"),
        InsufficientDiskSpaceException disk => new(StatusCodes.Status507InsufficientStorage, disk.Message, null, "insufficient_storage"),
        BackendUnavailableException backend => backend.Failure switch
        {
            BackendFailure.TimedOut => new(StatusCodes.Status504GatewayTimeout, backend.Message, null, "backend_timeout"),
            BackendFailure.BadResponse => new(StatusCodes.Status502BadGateway, backend.Message, null, "backend_error"),
            BackendFailure.Loop => new(StatusCodes.Status508LoopDetected, backend.Message, null, "backend_loop"),
            _ => new(StatusCodes.Status503ServiceUnavailable, backend.Message, null, "backend_unavailable"),
        },
        QuantizationException quantization => quantization.Problem switch
        {
            QuantizationProblem.OutputExists => new(StatusCodes.Status409Conflict, quantization.Message, "output", "model_exists"),
            QuantizationProblem.InvalidOutputName => new(StatusCodes.Status400BadRequest, quantization.Message, "output", "invalid_output_name"),
            QuantizationProblem.Failed => new(StatusCodes.Status500InternalServerError, quantization.Message, null, "quantization_failed"),
            QuantizationProblem.UnknownType => new(StatusCodes.Status400BadRequest, quantization.Message, "type", "unknown_quantization_type"),
            QuantizationProblem.NotGguf => new(StatusCodes.Status400BadRequest, quantization.Message, "model", "not_gguf"),
            QuantizationProblem.NeedsImportanceMatrix => new(StatusCodes.Status400BadRequest, quantization.Message, "type", "needs_imatrix"),
            _ => new(StatusCodes.Status400BadRequest, quantization.Message, "type", "not_smaller"),
        },
        ModelLoadException load => new(StatusCodes.Status500InternalServerError, load.Message, "model", "model_load_failed"),

        // The server's engine setting does not suit the model: the client can do nothing about it, so not a 4xx; the
        // message names the setting for whoever reads the log or relays it to the administrator.
        UnsupportedCacheTypeException cache => new(StatusCodes.Status500InternalServerError, OffGridServerOptions.DescribeCacheTypeProblem(cache), null, "unsupported_cache_type"),
        AgentTemplateNotFoundException agent => new(StatusCodes.Status404NotFound, agent.Message, "agent", "agent_not_found"),
        AgentTemplateException template => new(StatusCodes.Status400BadRequest, template.Message, null, "invalid_agent"),
        AgentRunNotFoundException run => new(StatusCodes.Status404NotFound, run.Message, "id", "run_not_found"),
        AgentRunException run => new(StatusCodes.Status400BadRequest, run.Message, null, "invalid_run"),
        AgentRunConflictException conflict => new(StatusCodes.Status409Conflict, conflict.Message, "id", "run_in_progress"),
        ToolNotFoundException tool => new(StatusCodes.Status404NotFound, tool.Message, null, "tool_not_found"),
        ToolDefinitionException definition => new(StatusCodes.Status400BadRequest, definition.Message, definition.Field, "invalid_tool"),
        McpServerException server => new(StatusCodes.Status502BadGateway, server.Message, null, "mcp_server_failed"),
        McpPackageException package => new(StatusCodes.Status502BadGateway, package.Message, null, "mcp_package_failed"),
        CollectionNotFoundException collection => new(StatusCodes.Status404NotFound, collection.Message, "collection", "collection_not_found"),
        CollectionExistsException exists => new(StatusCodes.Status409Conflict, exists.Message, "name", "collection_exists"),
        DocumentNotFoundException document => new(StatusCodes.Status404NotFound, document.Message, "id", "document_not_found"),
        OffGrid.Rag.Federation.KnowledgeNodeNotFoundException node => new(StatusCodes.Status404NotFound, node.Message, "node", "node_not_found"),
        InvalidKnowledgeRequestException knowledge => new(StatusCodes.Status400BadRequest, knowledge.Message, knowledge.ParamName),
        UnsupportedContentException unsupported => new(StatusCodes.Status415UnsupportedMediaType, unsupported.Message, "file", "unsupported_media_type"),
        PeerException peer => peer.Problem switch
        {
            PeerProblem.InvalidInput => new(StatusCodes.Status400BadRequest, peer.Message),
            PeerProblem.NotConfigured => new(StatusCodes.Status409Conflict, peer.Message, null, "p2p_not_configured"),
            PeerProblem.UnknownPeer or PeerProblem.NotSharing => new(StatusCodes.Status404NotFound, peer.Message, "peer", "peer_not_found"),
            PeerProblem.ModelNotShared => new(StatusCodes.Status404NotFound, peer.Message, "model", "model_not_found"),
            PeerProblem.UntrustedModel => new(StatusCodes.Status422UnprocessableEntity, peer.Message, "model", "untrusted_signature"),
            _ => new(StatusCodes.Status502BadGateway, peer.Message, "peer", "peer_unreachable"),
        },
        GovernanceException governance => FromGovernance(governance),
        UnknownSpeechModelException speechModel => new(StatusCodes.Status404NotFound, speechModel.Message, "model", "model_not_found"),
        SpeechRequestException speech => new(StatusCodes.Status400BadRequest, speech.Message, speech.Parameter, speech.Code),
        SpeechEngineException engine => new(StatusCodes.Status500InternalServerError, engine.Message, null, "speech_engine_error"),

        // Anything else, an ArgumentException included, is a bug on this side: the client gets no internals.
        _ => new(StatusCodes.Status500InternalServerError, "The server failed to handle the request; see its log.", null, InternalErrorCode),
    };

    /// <summary>The <see cref="Code"/> of a failure no OffGrid exception type explains: a bug, whose stack trace belongs in the log.</summary>
    public const string InternalErrorCode = "internal_error";

    /// <summary>Whether the message says what went wrong (an OffGrid exception type), so the log needs no stack trace.</summary>
    public bool IsExplained => Code != InternalErrorCode;

    /// <summary>A governance refusal, with the status of the one mapping in <see cref="GovernanceErrors"/>.</summary>
    private static ApiError FromGovernance(GovernanceException exception)
    {
        int status = GovernanceErrors.GetStatusCode(exception);
        return exception switch
        {
            // OpenAI's codes: a daily token budget is a quota, the rest are rate limits.
            QuotaExceededException { Kind: QuotaKind.TokensPerDay } quota => new(status, quota.Message, null, "insufficient_quota", quota.RetryAfter),
            QuotaExceededException quota => new(status, quota.Message, null, "rate_limit_exceeded", quota.RetryAfter),
            AccessDeniedException { Reason: AccessDeniedReason.ModelNotAllowed } denied => new(status, denied.Message, "model", "model_not_allowed"),
            AccessDeniedException denied => new(status, denied.Message, null, "forbidden"),
            SignInException signIn => new(status, signIn.Message, null, signIn.Failure switch
            {
                SignInFailure.LockedOut => "locked_out",
                SignInFailure.DirectoryUnavailable => "directory_unavailable",
                SignInFailure.AccountDisabled => "account_disabled",
                SignInFailure.NoRole => "no_role",

                // An unknown user and a wrong password look alike, so that user names cannot be probed.
                _ => "invalid_credentials",
            }, signIn.RetryAfter),
            UnknownUserException unknown => new(status, unknown.Message, "user", "user_not_found"),
            UnknownApiKeyException unknown => new(status, unknown.Message, "id", "api_key_not_found"),
            UserExistsException exists => new(status, exists.Message, "name", "user_exists"),
            GovernanceArgumentException invalid => new(status, invalid.Message, invalid.Parameter),
            _ => new(status, exception.Message),
        };
    }
}
