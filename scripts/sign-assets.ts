// `npm run sign:assets` (also run on postinstall and by `npm run dev`): builds the hosted signing page's assets.
import { buildSignAssets } from "./lib/sign-assets.ts";

console.log(`sign assets: ${await buildSignAssets()}`);
