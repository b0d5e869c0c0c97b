using LockboxPortal.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.AccessRequests.Live;

/// <summary>
/// Request events for clients outside Blazor (tools, other nodes later), at <see cref="Path"/>. Clients only
/// listen; what each connection hears is decided by <see cref="HubRelay"/> from the person's memberships as
/// storage holds them, read when the connection starts and again whenever the directory changes.
/// </summary>
[Authorize]
public sealed class LockboxHub(IDbContextFactory<LockboxDbContext> dbFactory, HubRelay relay, ILogger<LockboxHub> logger) : Hub
{
    public const string Path = "/hubs/lockbox";

    public override async Task OnConnectedAsync()
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(Context.ConnectionAborted);
            relay.Register(Context, await LiveAudience.LoadAsync(db, Context.User!, Context.ConnectionAborted));
        }
        catch (ForbiddenException)
        {
            // A cookie for an account that storage no longer knows as active hears nothing.
            logger.LogInformation("Refused a hub connection for an inactive or unknown account");
            Context.Abort();
            return;
        }

        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        relay.Unregister(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }
}
