using LockboxPortal.Api;
using LockboxPortal.Components;
using LockboxPortal.Features.AccessRequests.Live;
using LockboxPortal.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddLockboxPortal(builder.Configuration, builder.Environment);

var app = builder.Build();

// `-- audit verify` and friends run instead of the server (see Hosting/ConsoleCommands.cs).
if (await app.RunConsoleCommandAsync(args) is { } exitCode)
{
    return exitCode;
}

await app.PrepareLockboxAsync();

// First: the known proxies' forwarded headers, HTTPS redirection and HSTS as configured, and the security headers on
// every answer (pages, API answers, static files and error pages).
app.UseLockboxWebSecurity();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
}

app.UseLockboxClientContext();
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseLockboxApiProblems();
app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets().AllowAnonymous();
app.MapLockboxHealth(app.Configuration);
app.MapLockboxAccount();
app.MapLockboxEntra();
app.MapLockboxAudit();
app.MapLockboxApi();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
app.MapLockboxLive();

app.Run();
return 0;

/// <summary>The entry point, visible to the test host.</summary>
public partial class Program;
