import { Router, type Request } from 'express';
import {
  CancelVideoRequestSchema,
  DeleteVideoRequestSchema,
  GenerateVideoRequestSchema,
  TERMINAL_VIDEO_STATUSES,
} from '@app/shared';
import { notFound, unauthorized } from '../errors.ts';
import {
  actorOf,
  authenticateHeader,
  requireAuth,
  requireSignedAccessToken,
  sessionForTheCharge,
} from '../http/auth.ts';
import { sendGenerateResult } from '../http/generate-reply.ts';
import { atomicKeyOf, idempotency } from '../http/idempotency.ts';
import { perUserLimit } from '../http/rate-limit.ts';
import { parseWith } from '../http/validate.ts';
import { presentVideo } from '../presenters/video.ts';
import type { Actor } from '../services/context.ts';
import { cancelVideo } from '../services/video/cancel-video.ts';
import { generateVideo } from '../services/video/generate-video.ts';
import { getOwnVideo } from '../services/video/get-video.ts';
import { getVideoFile } from '../services/video/get-video-file.ts';
import { getVideoPoster } from '../services/video/get-video-poster.ts';
import { deleteVideo } from '../services/video/delete-video.ts';
import type { AppDeps } from '../app-deps.ts';
import { sendStoredFile } from '../http/send-stored-file.ts';

const SSE_HEARTBEAT_MS = 15_000;

export function videoRouter(deps: AppDeps): Router {
  const { ctx, tokens } = deps;
  // Presenting a video (its fileUrl) and live progress are the HTTP side's; both come from ctx.
  const { videoQueue: queue, videoFileToken: fileToken } = ctx;
  const limits = ctx.config.rateLimits;
  const router = Router();
  const auth = requireAuth(tokens);

  // <video src> cannot send headers, so the file also accepts the short-lived token that
  // `fileUrl` carries; that token is scoped to this one video and useless anywhere else.
  router.get('/:id/file', async (req, res) => {
    const actor = await fileActor(req, deps);
    const file = await getVideoFile({ ctx, actor, input: { videoId: String(req.params.id) } });
    res.setHeader('Content-Disposition', `inline; filename="video-${file.videoId}.mp4"`);
    res.setHeader('Cache-Control', 'private, max-age=3600');
    await sendStoredFile({
      req,
      res,
      storage: ctx.videoStorage,
      key: file.key,
      contentType: 'video/mp4',
      acceptRanges: true,
      missing: () => notFound('Video file'),
    });
  });

  // The library's thumbnail, authenticated like the file (an <img> cannot send headers either).
  router.get('/:id/poster', async (req, res) => {
    const actor = await fileActor(req, deps);
    const poster = await getVideoPoster({ ctx, actor, input: { videoId: String(req.params.id) } });
    res.setHeader('Cache-Control', 'private, max-age=3600');
    await sendStoredFile({
      req,
      res,
      storage: ctx.videoStorage,
      key: poster.key,
      contentType: 'image/jpeg',
      acceptRanges: false,
      missing: () => notFound('Poster'),
    });
  });

  const quota = deps.limits.idempotencyKeys;
  router.post(
    '/generate',
    // The session (and, with REQUIRE_VERIFIED_EMAIL, the verified address) is checked by the
    // charge itself: one round trip instead of up to three on the busiest write.
    requireSignedAccessToken(tokens),
    deps.limits.writesPerUser,
    perUserLimit({
      name: 'generate',
      perMinute: limits.generatePerMinute,
      disabled: limits.disabled,
      make: deps.rateLimiter,
    }),
    idempotency(ctx.store, 'video.generate', ctx.now, { atomic: true, quota }),
    async (req, res) => {
      const input = parseWith(GenerateVideoRequestSchema, req.body);
      const result = await generateVideo({
        ctx,
        actor: actorOf(res, sessionForTheCharge),
        input: { video: input, idempotency: atomicKeyOf(res) },
      });
      sendGenerateResult(res, result, fileToken);
    },
  );

  router.use(auth, deps.limits.writesPerUser);

  router.get('/:id', async (req, res) => {
    const input = { videoId: String(req.params.id) };
    const video = await getOwnVideo({ ctx, actor: actorOf(res), input });
    res.json({ video: presentVideo(video, fileToken) });
  });

  router.post(
    '/:id/cancel',
    idempotency(ctx.store, 'video.cancel', ctx.now, { quota }),
    async (req, res) => {
      // No input is taken; a body naming fields (userId, amount, ...) is refused, not ignored.
      parseWith(CancelVideoRequestSchema, req.body);
      const video = await cancelVideo({
        ctx,
        actor: actorOf(res),
        input: { videoId: String(req.params.id) },
      });
      res.json({ video: presentVideo(video, fileToken) });
    },
  );

  router.delete('/:id', async (req, res) => {
    parseWith(DeleteVideoRequestSchema, req.body);
    await deleteVideo({ ctx, actor: actorOf(res), input: { videoId: String(req.params.id) } });
    res.status(204).end();
  });

  router.get('/:id/events', async (req, res) => {
    const actor = actorOf(res);
    const read = () => getOwnVideo({ ctx, actor, input: { videoId: String(req.params.id) } });
    const video = await read();
    const releaseSlot = deps.sseStreams.open(actor.userId);
    if (res.destroyed || req.socket.destroyed) {
      releaseSlot();
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    let closed = false;
    let unsubscribe = () => {};
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), SSE_HEARTBEAT_MS);
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      releaseSlot();
      res.end();
    };
    const send = (v: typeof video) => {
      if (closed) return;
      res.write(`event: video\ndata: ${JSON.stringify(presentVideo(v, fileToken))}\n\n`);
      if (TERMINAL_VIDEO_STATUSES.includes(v.status)) close();
    };
    unsubscribe = queue.subscribe(video.id, send);
    // The response closes when the client goes away; the request may close as soon as it has
    // been read, which says nothing about the connection.
    res.on('close', close);
    // Re-read after subscribing so a change in between is not missed.
    send(await read());
  });

  return router;
}

async function fileActor(req: Request, deps: AppDeps): Promise<Actor> {
  const token = typeof req.query.token === 'string' ? req.query.token : undefined;
  if (token) {
    const claims = deps.tokens.verify(token, `video-file:${String(req.params.id)}`);
    if (!claims) throw unauthorized('Invalid or expired link');
    return { userId: claims.userId };
  }
  // A bearer token must have a live session, as everywhere else.
  const actor = await authenticateHeader(deps.tokens, req.headers.authorization);
  if (!actor) throw unauthorized();
  return actor;
}
