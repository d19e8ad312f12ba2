// An existing minimal-API app that also serves a local GGUF model over OpenAI's API, in process:
//
//   dotnet run --project samples/OffGrid.Samples.OpenAiServer -- --Model ../shared/models/stories260K.gguf --urls http://127.0.0.1:5080
//
// then point any OpenAI client at http://127.0.0.1:5080/v1 with model "local".
using Microsoft.Extensions.AI;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
builder.Services.AddOffGridServer(options => options.Models["local"] = builder.Configuration["Model"] ?? "model.gguf")
    .ConfigureChatClients((pipeline, model) => pipeline.UseLogging());

WebApplication app = builder.Build();
app.MapGet("/", () => "My app. Its local model answers at /v1/chat/completions.");
app.MapOpenAi("/v1");
app.Run();
