// Pulumi program (Pulumi.yaml): `pulumi up` deploys the stack configured in Pulumi.<stack>.yaml.
import { readConfig } from "./src/config";
import { createStack } from "./src/stack";

export const url = createStack(readConfig()).url;
