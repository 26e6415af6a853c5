// johnny-five and firmata-io ship no type declarations; hil-rig/firmata/io.ts gives the part of their API the rig uses.
declare module 'johnny-five';
declare module 'firmata-io';
